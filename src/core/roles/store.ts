/** SQL of roles (table roles) and of the grants they give through groups (read-only joins). */
import type { Queryable } from '../../db/db.ts';
import type { RoleRecord } from './model.ts';

/** A role granted organization-wide (project_id null) or in one project. */
export interface RoleGrant {
  project_id: string | null;
  role_id: string;
}

const select = 'SELECT id, name, description, protected, scopes, created_at FROM roles';

export async function listRoles(db: Queryable): Promise<RoleRecord[]> {
  return (await db.query<RoleRecord>(`${select} ORDER BY name`)).rows;
}

export async function getRoles(db: Queryable, ids: readonly string[]): Promise<RoleRecord[]> {
  return (await db.query<RoleRecord>(`${select} WHERE id = ANY($1::uuid[])`, [ids])).rows;
}

export async function rolesByName(db: Queryable, names: readonly string[]): Promise<RoleRecord[]> {
  return (await db.query<RoleRecord>(`${select} WHERE name = ANY($1) ORDER BY name`, [names])).rows;
}

/**
 * Every role grant a member has in one organization: organization-wide (project_id null,
 * through its groups) and per project (through the projects its groups are attached to).
 * One query, whatever the number of groups, roles and projects.
 */
/**
 * Whether a principal is a member of an organization (an active user, or one of its service
 * accounts), and the role scopes its groups grant there: organization-wide (project_id null)
 * and through each project its groups are attached to. One statement; a non-member gets none.
 */
export async function memberGrants(
  db: Queryable,
  organizationId: string,
  member: { kind: 'user'; userId: string } | { kind: 'service_account'; serviceAccountId: string },
): Promise<{ member: boolean; grants: RoleGrant[] }> {
  const membership =
    member.kind === 'user'
      ? `SELECT ou.id FROM organization_users ou JOIN users u ON u.id = ou.user_id
          WHERE ou.organization_id = $1 AND ou.user_id = $2 AND ou.state = 'active' AND u.state = 'active'`
      : 'SELECT id FROM service_accounts WHERE organization_id = $1 AND id = $2';
  const memberGroups =
    member.kind === 'user'
      ? `SELECT gu.group_id FROM group_users gu
          WHERE gu.organization_id = $1 AND gu.organization_user_id IN (SELECT id FROM membership)`
      : 'SELECT group_id FROM group_service_accounts WHERE organization_id = $1 AND service_account_id IN (SELECT id FROM membership)';
  // Role IDs, not their scopes: a large organization's member gets a row per project, and the
  // few roles' scopes are read once (the role service caches them). UNION drops repeats.
  const result = await db.query<{ member: boolean; project_id: string | null; role_id: string | null }>(
    `WITH membership AS (${membership}),
          member_groups AS (${memberGroups}),
          grants AS (
            SELECT NULL::uuid AS project_id, gr.role_id
              FROM group_roles gr
             WHERE gr.organization_id = $1 AND gr.group_id IN (SELECT group_id FROM member_groups)
            UNION
            SELECT pg.project_id, gr.role_id
              FROM project_groups pg
              JOIN group_roles gr ON gr.group_id = pg.group_id
             WHERE pg.organization_id = $1 AND pg.group_id IN (SELECT group_id FROM member_groups))
     SELECT EXISTS (SELECT 1 FROM membership) AS member, g.project_id, g.role_id
       FROM (SELECT 1) AS one LEFT JOIN grants g ON true`,
    [organizationId, member.kind === 'user' ? member.userId : member.serviceAccountId],
  );
  const grants = result.rows.flatMap((row) => (row.role_id ? [{ project_id: row.project_id, role_id: row.role_id }] : []));
  return { member: result.rows[0]?.member ?? false, grants };
}

/** The roles an API token's privileges grant, organization-wide (project_id null) or in one project. */
export async function tokenGrants(db: Queryable, organizationId: string, apiTokenId: string): Promise<RoleGrant[]> {
  const result = await db.query<RoleGrant>('SELECT project_id, role_id FROM api_token_grants WHERE organization_id = $1 AND api_token_id = $2', [
    organizationId,
    apiTokenId,
  ]);
  return result.rows;
}
