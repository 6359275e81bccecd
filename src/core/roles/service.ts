/**
 * Roles and the ACLs they add up to (the Identity API's model, notes §2.3):
 * - a system credential gets the global grants of its roles;
 * - a platform administrator (by configured email) gets the platform-administrator role's
 *   global grants;
 * - inside an organization, the principal's groups give their roles' organization grants,
 *   and each project that lists one of those groups gives the roles' project grants;
 * - a service account has grants only inside its own organization;
 * - a user has grants only through an active membership, and only while the account itself
 *   is active.
 */
import type { Db } from '../../db/db.ts';
import type { Cache, Caches } from '../../kernel/cache.ts';
import { Forbidden, InvalidRequest } from '../../kernel/errors.ts';
import { type Acl, canGrant, emptyAcl, grant, type Permissions } from '../../rbac/acl.ts';
import type { Caller } from '../../rbac/caller.ts';
import { type Principal, platformAdministratorRole } from '../../rbac/model.ts';
import type { RoleRecord } from './model.ts';
import * as store from './store.ts';

export type { RoleRecord } from './model.ts';

/** What an ACL is cached under, and the tags of the rows it was computed from. */
function aclKey(principal: Principal, organizationId: string | undefined): { key: string; tags: string[] } {
  const org = organizationId ? [`org:${organizationId}`] : [];
  switch (principal.kind) {
    case 'system':
      return { key: `system:${principal.roleNames.join(',')}`, tags: [] };
    case 'user':
      return { key: `user:${principal.userId}:${principal.subject}:${organizationId ?? ''}`, tags: [`user:${principal.userId}`, ...org] };
    case 'service_account':
      return { key: `sa:${principal.serviceAccountId}:${organizationId ?? ''}`, tags: org };
    case 'api_token':
      return { key: `apitoken:${principal.apiTokenId}:${organizationId ?? ''}`, tags: [`apitoken:${principal.apiTokenId}`, ...org] };
  }
}

export class RoleService {
  /** Shared by every request of the principal: never changed once computed. */
  private readonly acls: Cache<Acl>;
  private readonly roles: Cache<ReadonlyMap<string, RoleRecord>>;

  constructor(
    private readonly db: Db,
    private readonly platformAdmins: ReadonlySet<string>,
    caches: Caches,
  ) {
    this.acls = caches.cache('acls');
    this.roles = caches.cache('roles');
  }

  /** The roles the caller could put on a group: unprotected, and within the caller's own permissions. */
  async listGrantable(caller: Caller, organizationId: string): Promise<RoleRecord[]> {
    const acl = await caller.acl(organizationId);
    const roles = await store.listRoles(this.db);
    return roles.filter((role) => !role.protected && canGrant(acl, organizationId, role.scopes));
  }

  /** The unprotected role of a name, if there is one (vendor faces name roles). */
  async grantableNamed(name: string): Promise<RoleRecord | undefined> {
    return (await this.unprotectedByName([name]))[0];
  }

  /** Unprotected roles among `names`, in name order (onboarding offers these). */
  async unprotectedByName(names: readonly string[]): Promise<RoleRecord[]> {
    return (await store.rolesByName(this.db, names)).filter((role) => !role.protected);
  }

  /**
   * Refuses unknown roles (400), protected roles and roles holding permissions the caller
   * lacks (403): nobody can hand out more than they have.
   */
  async requireGrantable(caller: Caller, organizationId: string, roleIds: readonly string[], field = 'spec.roleIDs'): Promise<void> {
    if (!roleIds.length) return;
    const acl = await caller.acl(organizationId);
    const table = await this.roleTable(roleIds);
    const missing = roleIds.filter((id) => !table.has(id));
    if (missing.length) throw new InvalidRequest(`${field} names unknown roles: ${missing.join(', ')}`);
    for (const role of roleIds.flatMap((id) => table.get(id) ?? [])) {
      if (role.protected) throw new Forbidden(`the role "${role.name}" is protected and cannot be granted`);
      if (!canGrant(acl, organizationId, role.scopes)) {
        throw new Forbidden(`the role "${role.name}" holds permissions the caller lacks, so the caller cannot grant it`);
      }
    }
  }

  /** The ACL of a principal, globally or within one organization: cached, computed on a miss. */
  readonly aclOf = async (principal: Principal, organizationId?: string): Promise<Acl> => {
    const { key, tags } = aclKey(principal, organizationId);
    const acl = await this.acls.get(key, async () => ({ value: await this.computeAcl(principal, organizationId), tags }));
    return acl ?? emptyAcl();
  };

  /** The ACL computed from the database, uncached: one statement, and the roles from their cached copy. */
  readonly computeAcl = async (principal: Principal, organizationId?: string): Promise<Acl> => {
    const acl = emptyAcl();
    const globalRoles =
      principal.kind === 'system'
        ? principal.roleNames
        : principal.kind === 'user' && this.platformAdmins.has(principal.subject.toLowerCase())
          ? [platformAdministratorRole]
          : [];
    if (globalRoles.length) {
      for (const role of (await this.roleTable()).values()) if (globalRoles.includes(role.name)) grant(acl.global, role.scopes.global);
    }
    if (!organizationId || principal.kind === 'system') return acl;
    if ((principal.kind === 'service_account' || principal.kind === 'api_token') && principal.organizationId !== organizationId) return acl;
    if (principal.kind === 'api_token') return this.tokenAcl(acl, organizationId, principal.apiTokenId);
    const member =
      principal.kind === 'user'
        ? { kind: 'user' as const, userId: principal.userId }
        : { kind: 'service_account' as const, serviceAccountId: principal.serviceAccountId };
    const organization: Permissions = new Map();
    const { member: isMember, organizationRoles, projectRoles } = await store.memberRoles(this.db, organizationId, member);
    const roles = await this.roleTable([...organizationRoles, ...projectRoles.map((row) => row.roleId)]);
    for (const roleId of organizationRoles) {
      grant(acl.global, roles.get(roleId)?.scopes.global);
      grant(organization, roles.get(roleId)?.scopes.organization);
    }
    const rolesOfProject = new Map<string, string[]>();
    for (const { roleId, projectIds } of projectRoles) {
      for (const projectId of projectIds) {
        const held = rolesOfProject.get(projectId);
        if (!held) rolesOfProject.set(projectId, [roleId]);
        else if (held.at(-1) !== roleId) held.push(roleId); // a project named twice for one role
      }
    }
    // Projects reached through the same roles share one Permissions (ACLs are never changed
    // once computed): a large organization's member reaches a thousand projects through a few.
    const byRoles = new Map<string, Permissions>();
    for (const [projectId, roleIds] of rolesOfProject) {
      const key = roleIds.join(' '); // the same roles always come in the statement's order
      let permissions = byRoles.get(key);
      if (!permissions) {
        permissions = new Map();
        for (const roleId of roleIds) grant(permissions, roles.get(roleId)?.scopes.project);
        byRoles.set(key, permissions);
      }
      if (permissions.size) acl.projects.set(projectId, permissions);
    }
    acl.organization = { id: organizationId, member: isMember, permissions: organization };
    return acl;
  };

  /**
   * Roles by ID, from a cached copy of the (small) roles table; read again when one of `ids`
   * is not in it (a role created since). Changed or deleted roles empty every cache (`all`).
   */
  private async roleTable(ids: readonly string[] = []): Promise<ReadonlyMap<string, RoleRecord>> {
    const read = async () => new Map((await store.listRoles(this.db)).map((role) => [role.id, role] as const));
    const cached = await this.roles.get('all', async () => ({ value: await read(), tags: [] }));
    return cached && ids.every((id) => cached.has(id)) ? cached : read();
  }

  /** An API token's ACL: its privileges' roles, at organization scope or in their project; never global. */
  private async tokenAcl(acl: Acl, organizationId: string, apiTokenId: string): Promise<Acl> {
    const organization: Permissions = new Map();
    const grants = await store.tokenGrants(this.db, organizationId, apiTokenId);
    const roles = await this.roleTable(grants.map((row) => row.role_id));
    for (const row of grants) {
      const scopes = roles.get(row.role_id)?.scopes ?? {};
      if (row.project_id === null) grant(organization, scopes.organization);
      else {
        const project = acl.projects.get(row.project_id) ?? new Map();
        grant(project, scopes.organization);
        grant(project, scopes.project);
        if (project.size) acl.projects.set(row.project_id, project);
      }
    }
    acl.organization = { id: organizationId, member: true, permissions: organization };
    return acl;
  }
}
