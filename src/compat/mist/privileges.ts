/**
 * Mist's privileges onto Tessera's: `org` → the organization, `site` → a project (`site_id`
 * is a project ID), `sitegroup` → the projects a group is attached to (`sitegroup_id` is a
 * group ID). Roles: admin → administrator, write → user, read → auditor in the organization
 * and reader in a project; helpdesk and installer → unprotected roles of those names, if the
 * platform defines them.
 */
import type { ApiTokenPrivilege, ApiTokenRecord } from '../../core/apitokens/service.ts';
import type { Services } from '../../core/index.ts';
import { InvalidRequest } from '../../kernel/errors.ts';

export type MistRole = 'admin' | 'write' | 'read' | 'helpdesk' | 'installer';
export interface MistPrivilege {
  scope: 'org' | 'site' | 'sitegroup';
  role: MistRole;
  org_id?: string;
  site_id?: string;
  sitegroup_id?: string;
  views?: string[];
}

const organizationRoles: Record<MistRole, string> = { admin: 'administrator', write: 'user', read: 'auditor', helpdesk: 'helpdesk', installer: 'installer' };
const projectRoles: Record<MistRole, string> = { ...organizationRoles, read: 'reader' };

async function roleId(core: Services, name: string, mistRole: MistRole): Promise<string> {
  const role = await core.roles.grantableNamed(name);
  if (!role) throw new InvalidRequest(`role "${mistRole}" is not defined on this platform`);
  return role.id;
}

export async function fromMist(core: Services, organizationId: string, privileges: MistPrivilege[]): Promise<ApiTokenPrivilege[]> {
  const out: ApiTokenPrivilege[] = [];
  for (const [index, p] of privileges.entries()) {
    if (p.org_id !== undefined && p.org_id !== organizationId) {
      throw new InvalidRequest(
        `privileges[${index}].org_id is another organization's ID; a token holds privileges in its own organization (${organizationId}) only`,
      );
    }
    if (p.scope === 'org') out.push({ roleId: await roleId(core, organizationRoles[p.role], p.role) });
    else if (p.scope === 'site') {
      if (!p.site_id) throw new InvalidRequest('site_id is required when scope is "site"');
      out.push({ roleId: await roleId(core, projectRoles[p.role], p.role), projectId: p.site_id });
    } else {
      if (!p.sitegroup_id) throw new InvalidRequest('sitegroup_id is required when scope is "sitegroup"');
      const role = await roleId(core, projectRoles[p.role], p.role);
      const projects = await core.projects.projectsWithGroup(organizationId, p.sitegroup_id);
      if (!projects.length) throw new InvalidRequest(`sitegroup ${p.sitegroup_id} has no sites`);
      for (const projectId of projects) out.push({ roleId: role, projectId });
    }
  }
  return out;
}

/** Core privileges as Mist reads them (a site group reads back as its sites). */
export async function toMist(core: Services, token: ApiTokenRecord) {
  const names = new Map(
    (await core.roles.unprotectedByName(['administrator', 'user', 'auditor', 'reader', 'helpdesk', 'installer'])).map((r) => [r.id, r.name]),
  );
  const mistOf = (name: string | undefined): MistRole | string => {
    const found = (Object.entries(name === 'reader' ? projectRoles : organizationRoles) as [MistRole, string][]).find(([, tessera]) => tessera === name);
    return found ? found[0] : (name ?? 'unknown');
  };
  return token.privileges.map((p) =>
    p.projectId
      ? { scope: 'site', role: mistOf(names.get(p.roleId)), site_id: p.projectId }
      : { scope: 'org', role: mistOf(names.get(p.roleId)), org_id: token.organization_id },
  );
}
