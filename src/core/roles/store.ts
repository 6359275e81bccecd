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
  return (await db.query<RoleRecord>(`${select} ORDER BY name`, undefined, { prepare: true })).rows;
}

export async function rolesByName(db: Queryable, names: readonly string[]): Promise<RoleRecord[]> {
  return (await db.query<RoleRecord>(`${select} WHERE name = ANY($1) ORDER BY name`, [names])).rows;
}

/** The roles a member holds in one organization, and whether it is a member at all. */
export interface MemberRoles {
  member: boolean;
  /** Roles its groups hold, which apply organization-wide. */
  organizationRoles: string[];
  /** Roles its groups hold through projects they are attached to, with those projects. */
  projectRoles: { roleId: string; projectIds: string[] }[];
}

/**
 * Whether a principal is a member of an organization (an active user, or one of its service
 * accounts), and the roles its groups give it there. One statement, whatever the number of
 * groups and projects. It returns a row per role, not per project: a member of a large
 * organization reaches a thousand projects through a few roles, and one text value of
 * project IDs is far cheaper to send and read than a thousand rows. (A project attached to
 * two of the member's groups with one role is named twice: the caller's map absorbs that.)
 */
export async function memberRoles(
  db: Queryable,
  organizationId: string,
  member: { kind: 'user'; userId: string } | { kind: 'service_account'; serviceAccountId: string },
): Promise<MemberRoles> {
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
  const result = await db.query<{ member: boolean; role_id: string | null; project_ids: string | null }>(
    `WITH membership AS (${membership}),
          member_groups AS (${memberGroups}),
          roles AS (
            SELECT gr.role_id, NULL AS project_ids
              FROM group_roles gr
             WHERE gr.organization_id = $1 AND gr.group_id IN (SELECT group_id FROM member_groups)
             GROUP BY gr.role_id
            UNION ALL
            SELECT gr.role_id, string_agg(pg.project_id::text, ' ') AS project_ids
              FROM project_groups pg
              JOIN group_roles gr ON gr.organization_id = $1 AND gr.group_id = pg.group_id
             WHERE pg.organization_id = $1 AND pg.group_id IN (SELECT group_id FROM member_groups)
             GROUP BY gr.role_id)
     SELECT EXISTS (SELECT 1 FROM membership) AS member, r.role_id, r.project_ids
       FROM (SELECT 1) AS one LEFT JOIN roles r ON true`,
    [organizationId, member.kind === 'user' ? member.userId : member.serviceAccountId],
    { prepare: true },
  );
  const roles: MemberRoles = { member: result.rows[0]?.member ?? false, organizationRoles: [], projectRoles: [] };
  for (const row of result.rows) {
    if (!row.role_id) continue;
    if (row.project_ids === null) roles.organizationRoles.push(row.role_id);
    else roles.projectRoles.push({ roleId: row.role_id, projectIds: row.project_ids.split(' ') });
  }
  return roles;
}

/** The roles an API token's privileges grant, organization-wide (project_id null) or in one project. */
export async function tokenGrants(db: Queryable, organizationId: string, apiTokenId: string): Promise<RoleGrant[]> {
  const result = await db.query<RoleGrant>('SELECT project_id, role_id FROM api_token_grants WHERE organization_id = $1 AND api_token_id = $2', [
    organizationId,
    apiTokenId,
  ]);
  return result.rows;
}
