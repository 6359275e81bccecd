/** The Identity API's `acl` schema, shared by the native API's /acl and token introspection. */
import type { Acl, Permissions } from '../rbac/acl.ts';
import { operations } from '../rbac/model.ts';

function endpointsToWire(permissions: Permissions) {
  return [...permissions].sort(([a], [b]) => a.localeCompare(b)).map(([name, ops]) => ({ name, operations: operations.filter((op) => ops.has(op)) }));
}

/** The `acl` schema of the Identity API; empty parts are left out. */
export function aclToWire(acl: Acl) {
  return {
    ...(acl.global.size ? { global: endpointsToWire(acl.global) } : {}),
    ...(acl.organization?.permissions.size ? { organization: { id: acl.organization.id, endpoints: endpointsToWire(acl.organization.permissions) } } : {}),
    ...(acl.projects.size
      ? {
          projects: [...acl.projects].sort(([a], [b]) => a.localeCompare(b)).map(([id, permissions]) => ({ id, endpoints: endpointsToWire(permissions) })),
        }
      : {}),
  };
}
