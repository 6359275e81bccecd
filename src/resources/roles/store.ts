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
