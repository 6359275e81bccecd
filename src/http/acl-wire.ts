/** The Identity API's `acl` schema, shared by the native API's /acl and token introspection. */
import type { Acl, Permissions } from '../rbac/acl.ts';
import { operations } from '../rbac/model.ts';

function endpointsToWire(permissions: Permissions) {
  return [...permissions].sort(([a], [b]) => a.localeCompare(b)).map(([name, ops]) => ({ name, operations: operations.filter((op) => ops.has(op)) }));
}

type AclWire = ReturnType<typeof toWire>;

// ACLs are cached and shared by the requests of a principal, and never changed once computed:
// each is turned into its wire form, and its JSON, once. The JSON is kept as UTF-8 bytes, so a
// response neither measures nor encodes it again (a large organization's is ~500 kB).
const wireForms = new WeakMap<Acl, AclWire>();
const jsonForms = new WeakMap<Acl, Buffer>();

/** The wire form as UTF-8 JSON, for a route to send as it is. */
export function aclJson(acl: Acl): Buffer {
  let json = jsonForms.get(acl);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(aclToWire(acl)));
    jsonForms.set(acl, json);
  }
  return json;
}

/** The `acl` schema of the Identity API; empty parts are left out. */
export function aclToWire(acl: Acl): AclWire {
  let wire = wireForms.get(acl);
  if (!wire) {
    wire = toWire(acl);
    wireForms.set(acl, wire);
  }
  return wire;
}

function toWire(acl: Acl) {
  // Projects reached through the same roles share one Permissions: each is converted once.
  const projectEndpoints = new Map<Permissions, ReturnType<typeof endpointsToWire>>();
  const endpointsOf = (permissions: Permissions) => {
    let endpoints = projectEndpoints.get(permissions);
    if (!endpoints) {
      endpoints = endpointsToWire(permissions);
      projectEndpoints.set(permissions, endpoints);
    }
    return endpoints;
  };
  return {
    ...(acl.global.size ? { global: endpointsToWire(acl.global) } : {}),
    ...(acl.organization?.permissions.size ? { organization: { id: acl.organization.id, endpoints: endpointsToWire(acl.organization.permissions) } } : {}),
    ...(acl.projects.size
      ? {
          projects: [...acl.projects].sort(([a], [b]) => a.localeCompare(b)).map(([id, permissions]) => ({ id, endpoints: endpointsOf(permissions) })),
        }
      : {}),
  };
}
