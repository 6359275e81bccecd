import type { Queryable } from '../../db/db.ts';
import type { Role } from '../../rbac/model.ts';

export interface RoleRow extends Role {
  created_at: Date;
}

const select = 'SELECT id, name, description, protected, scopes, created_at FROM roles';

export async function listRoles(db: Queryable): Promise<RoleRow[]> {
  return (await db.query<RoleRow>(`${select} ORDER BY name`)).rows;
}

export async function getRoles(db: Queryable, ids: readonly string[]): Promise<RoleRow[]> {
  return (await db.query<RoleRow>(`${select} WHERE id = ANY($1::uuid[])`, [ids])).rows;
}

/** The roles that membership of these groups confers. */
export async function rolesOfGroups(db: Queryable, organizationId: string, groupIds: readonly string[]): Promise<RoleRow[]> {
  const result = await db.query<RoleRow>(
    `SELECT DISTINCT r.id, r.name, r.description, r.protected, r.scopes, r.created_at
       FROM group_roles gr JOIN roles r ON r.id = gr.role_id
      WHERE gr.organization_id = $1 AND gr.group_id = ANY($2::uuid[])`,
    [organizationId, groupIds],
  );
  return result.rows;
}
