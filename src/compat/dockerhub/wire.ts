/** Docker Hub's access-token shapes, and the checks Docker documents for `resources`. */
import type { ApiTokenRecord, ApiTokenResource } from '../../core/apitokens/service.ts';
import { InvalidRequest } from '../../kernel/errors.ts';

const iso = (date: Date | null) => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);

export function tokenToWire(row: ApiTokenRecord) {
  return {
    id: row.id,
    label: row.name,
    created_by: row.created_by ?? '',
    is_active: row.active,
    created_at: iso(row.created_at),
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    description: row.description ?? '',
    resources: row.resources,
  };
}

// Docker's current scope names (docs: "Organization access tokens"); a higher scope includes the lower ones.
const repoScopes = new Set([
  'scope-image-pull',
  'scope-image-push',
  'scope-image-delete',
  'scope-repository-read',
  'scope-repository-edit',
  'scope-repository-admin',
  'scope-tag-read',
  'scope-tag-admin',
  'scope-webhook-read',
  'scope-webhook-edit',
  'scope-webhook-admin',
  'scope-repo-group-read',
  'scope-repo-group-edit',
  'scope-repo-group-admin',
  'scope-repository-settings-admin',
  'repo-pull', // the spec's own example
]);
const orgScopes = new Set([
  'scope-member-read',
  'scope-member-edit',
  'scope-invite-read',
  'scope-invite-edit',
  'scope-group-read',
  'scope-group-edit',
  'scope-activity-read',
  'scope-siem_credentials-read',
  'scope-ram-read',
  'scope-ram-write',
  'scope-report-read',
  'scope-repository-create',
  'scope-repository-list',
  'scope-registry-usage-read',
  'scope-cloud-connect',
  'scope-audit_events-read',
  'scope-governance-policy-read',
  'scope-governance-policy-write',
]);
const name = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
const repoPath = new RegExp(`^(?:${name}/(?:${name}|\\*)|\\*/\\*/public)$`);
const maxRepositories = 50;

/** Checks resources the way Docker documents them; the organization's own name is the only TYPE_ORG path. */
export function checkResources(resources: ApiTokenResource[], organizationName: string): ApiTokenResource[] {
  const repositories = resources.filter((r) => r.type === 'TYPE_REPO');
  if (repositories.length > maxRepositories) throw new InvalidRequest(`body.resources may name at most ${maxRepositories} repositories`);
  resources.forEach((resource, i) => {
    const where = `body.resources.${i}`;
    const allowed = resource.type === 'TYPE_REPO' ? repoScopes : orgScopes;
    if (resource.type === 'TYPE_REPO' && !repoPath.test(resource.path)) {
      throw new InvalidRequest(`${where}.path must be "<organization>/<repository>", "<organization>/*" or "*/*/public"`);
    }
    if (resource.type === 'TYPE_ORG' && resource.path !== organizationName) throw new InvalidRequest(`${where}.path must be the organization's name`);
    const unknown = resource.scopes.find((scope) => !allowed.has(scope));
    if (unknown) throw new InvalidRequest(`${where}.scopes has an unknown scope for ${resource.type}: "${unknown}"`);
    if (resource.path === '*/*/public' && resource.scopes.some((scope) => scope !== 'scope-image-pull' && scope !== 'repo-pull')) {
      throw new InvalidRequest(`${where}.scopes: public repositories are read-only (scope-image-pull)`);
    }
  });
  return resources;
}
