/**
 * ACL computation (the Identity API's model, notes §2.3):
 * - a system credential gets the global grants of its roles;
 * - a platform administrator (by configured email) gets the platform-administrator role's
 *   global grants;
 * - inside an organization, the principal's groups give their roles' organization grants,
 *   and each project that lists one of those groups gives the roles' project grants;
 * - a service account has grants only inside its own organization;
 * - a user has grants only through an active membership, and only while the account itself
 *   is active.
 * Two queries at most, whatever the number of groups, roles and projects.
 */
import type { Queryable } from '../db/db.ts';
import { emptyAcl, grant, type Acl, type Permissions } from './acl.ts';
import { platformAdministratorRole, type Principal, type RoleScopes } from './model.ts';

export interface AclContext {
  db: Queryable;
  platformAdmins: ReadonlySet<string>;
}

export async function computeAcl(ctx: AclContext, principal: Principal, organizationId?: string): Promise<Acl> {
  const acl = emptyAcl();
  const globalRoles =
    principal.kind === 'system'
      ? principal.roleNames
      : principal.kind === 'user' && ctx.platformAdmins.has(principal.subject.toLowerCase())
        ? [platformAdministratorRole]
        : [];
  if (globalRoles.length) {
    const roles = await ctx.db.query<{ scopes: RoleScopes }>('SELECT scopes FROM roles WHERE name = ANY($1)', [globalRoles]);
    for (const role of roles.rows) grant(acl.global, role.scopes.global);
  }
  if (!organizationId || principal.kind === 'system') return acl;
  if (principal.kind === 'service_account' && principal.organizationId !== organizationId) return acl;

  const memberGroups =
    principal.kind === 'user'
      ? `SELECT gu.group_id FROM group_users gu
           JOIN organization_users ou ON ou.organization_id = gu.organization_id AND ou.id = gu.organization_user_id
           JOIN users u ON u.id = ou.user_id
          WHERE gu.organization_id = $1 AND ou.user_id = $2 AND ou.state = 'active' AND u.state = 'active'`
      : `SELECT group_id FROM group_service_accounts WHERE organization_id = $1 AND service_account_id = $2`;
  const memberId = principal.kind === 'user' ? principal.userId : principal.serviceAccountId;
  const grants = await ctx.db.query<{ project_id: string | null; scopes: RoleScopes }>(
    `WITH member_groups AS (${memberGroups})
     SELECT NULL::uuid AS project_id, r.scopes
       FROM group_roles gr JOIN roles r ON r.id = gr.role_id
      WHERE gr.organization_id = $1 AND gr.group_id IN (SELECT group_id FROM member_groups)
     UNION ALL
     SELECT pg.project_id, r.scopes
       FROM project_groups pg
       JOIN group_roles gr ON gr.group_id = pg.group_id
       JOIN roles r ON r.id = gr.role_id
      WHERE pg.organization_id = $1 AND pg.group_id IN (SELECT group_id FROM member_groups)`,
    [organizationId, memberId],
  );
  const organization: Permissions = new Map();
  for (const row of grants.rows) {
    if (row.project_id === null) {
      grant(acl.global, row.scopes.global);
      grant(organization, row.scopes.organization);
    } else {
      const project = acl.projects.get(row.project_id) ?? new Map();
      grant(project, row.scopes.project);
      if (project.size) acl.projects.set(row.project_id, project);
    }
  }
  acl.organization = { id: organizationId, permissions: organization };
  return acl;
}
