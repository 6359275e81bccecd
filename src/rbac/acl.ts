/**
 * Access-control lists: what a principal may do, globally, in one organization and in each
 * of its projects. Computed per request from group roles (see compute.ts) and read by the
 * allow checks below, which cascade: a global grant covers every organization, and an
 * organization grant covers every project in it.
 */
import type { Operation, RoleScopes } from './model.ts';

export type Permissions = Map<string, Set<Operation>>;

export interface Acl {
  global: Permissions;
  /** Within one organization: whether the principal is a member, and what its groups grant there. */
  organization?: { id: string; member: boolean; permissions: Permissions };
  projects: Map<string, Permissions>;
}

export function emptyAcl(): Acl {
  return { global: new Map(), projects: new Map() };
}

export function grant(into: Permissions, grants: Record<string, Operation[]> | undefined): void {
  for (const [endpoint, ops] of Object.entries(grants ?? {})) {
    const set = into.get(endpoint) ?? new Set<Operation>();
    for (const op of ops) set.add(op);
    into.set(endpoint, set);
  }
}

const has = (permissions: Permissions | undefined, endpoint: string, op: Operation) => permissions?.get(endpoint)?.has(op) ?? false;

export function allowGlobal(acl: Acl, endpoint: string, op: Operation): boolean {
  return has(acl.global, endpoint, op);
}

export function allowOrganization(acl: Acl, organizationId: string, endpoint: string, op: Operation): boolean {
  return allowGlobal(acl, endpoint, op) || (acl.organization?.id === organizationId && has(acl.organization.permissions, endpoint, op));
}

export function allowProject(acl: Acl, organizationId: string, projectId: string, endpoint: string, op: Operation): boolean {
  return allowOrganization(acl, organizationId, endpoint, op) || (acl.organization?.id === organizationId && has(acl.projects.get(projectId), endpoint, op));
}

/**
 * The projects of an organization in which `op` on `endpoint` is allowed: undefined when it
 * is allowed in all of them (a global or organization grant), otherwise the IDs of the
 * projects that grant it themselves. List endpoints filter by this in SQL.
 */
export function projectsAllowing(acl: Acl, organizationId: string, endpoint: string, op: Operation): string[] | undefined {
  if (allowOrganization(acl, organizationId, endpoint, op)) return undefined;
  if (acl.organization?.id !== organizationId) return [];
  return [...acl.projects].filter(([, permissions]) => has(permissions, endpoint, op)).map(([id]) => id);
}

/**
 * Lists across an organization's projects: open to its members (they show what each member's
 * projects allow, possibly nothing) and to callers granted `op` organization-wide; refused to
 * everyone else, so an outsider is told no rather than shown an empty list.
 */
export function allowAcrossProjects(acl: Acl, organizationId: string, endpoint: string, op: Operation): boolean {
  return allowOrganization(acl, organizationId, endpoint, op) || (acl.organization?.id === organizationId && acl.organization.member);
}

/**
 * Anti-escalation: a role may be granted only by someone who holds every permission in it.
 * Project-level grants of the role must be held at organization level, since a group's
 * role applies to every project the group is attached to.
 */
export function canGrant(acl: Acl, organizationId: string, scopes: RoleScopes): boolean {
  const every = (grants: Record<string, Operation[]> | undefined, allowed: (e: string, o: Operation) => boolean) =>
    Object.entries(grants ?? {}).every(([endpoint, ops]) => ops.every((op) => allowed(endpoint, op)));
  return (
    every(scopes.global, (e, o) => allowGlobal(acl, e, o)) &&
    every(scopes.organization, (e, o) => allowOrganization(acl, organizationId, e, o)) &&
    every(scopes.project, (e, o) => allowOrganization(acl, organizationId, e, o))
  );
}
