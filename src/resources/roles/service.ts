import type { Db, Queryable } from '../../db/db.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { Forbidden, InvalidRequest } from '../../http/errors.ts';
import { canGrant, type Acl } from '../../rbac/acl.ts';
import { readMetadata } from '../common/metadata.ts';
import { requireInOrganization } from '../common/references.ts';
import * as store from './store.ts';

function roleToWire(role: store.RoleRow) {
  return {
    metadata: readMetadata({
      id: role.id,
      name: role.name,
      description: role.description,
      tags: [],
      created_at: role.created_at,
      created_by: null,
      modified_at: null,
      modified_by: null,
    }),
  };
}

export class RoleService {
  constructor(private readonly db: Db) {}

  /** The roles the caller could put on a group: unprotected, and within the caller's own permissions. */
  async listGrantable(auth: RequestAuth, organizationId: string) {
    const acl = await auth.acl(organizationId);
    const roles = await store.listRoles(this.db);
    return roles.filter((role) => !role.protected && canGrant(acl, organizationId, role.scopes)).map(roleToWire);
  }

  /**
   * Refuses unknown roles (400), protected roles and roles holding permissions the caller
   * lacks (403): nobody can hand out more than they have.
   */
  async requireGrantable(db: Queryable, acl: Acl, organizationId: string, roleIds: readonly string[]): Promise<void> {
    if (!roleIds.length) return;
    const roles = await store.getRoles(db, roleIds);
    const known = new Set(roles.map((role) => role.id));
    const missing = roleIds.filter((id) => !known.has(id));
    if (missing.length) throw new InvalidRequest(`spec.roleIDs names unknown roles: ${missing.join(', ')}`);
    for (const role of roles) {
      if (role.protected) throw new Forbidden(`the role "${role.name}" is protected and cannot be granted`);
      if (!canGrant(acl, organizationId, role.scopes)) {
        throw new Forbidden(`the role "${role.name}" holds permissions the caller lacks, so the caller cannot grant it`);
      }
    }
  }

  /**
   * Putting a user or service account in a group, or a group in a project, hands out the
   * group's roles: the groups must exist in the organization (400) and their roles must be
   * grantable by the caller (403).
   */
  async requireGroupsGrantable(db: Queryable, acl: Acl, organizationId: string, groupIds: readonly string[]): Promise<void> {
    await requireInOrganization(db, 'groups', organizationId, groupIds, 'spec.groupIDs');
    if (!groupIds.length) return;
    for (const role of await store.rolesOfGroups(db, organizationId, groupIds)) {
      if (!canGrant(acl, organizationId, role.scopes)) {
        throw new Forbidden(`a group in spec.groupIDs grants the role "${role.name}", which holds permissions the caller lacks`);
      }
    }
  }
}
