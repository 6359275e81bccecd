/**
 * Access declarations, and the hooks every face installs to enforce them. A route says in
 * `config.access` who may call it: `publicAccess`, or `callers({ permission, organization,
 * project })` where the permission names an endpoint, an operation and a scope level, and
 * the resolvers say where the organization and project come from (a path parameter of any
 * name, or an organization's name). The face says how its credential is read.
 *
 * Order per request: credential → principal (401 first, before the body is parsed) → the
 * rate-limit decision → (once the path is validated) organization and project resolved →
 * permission (403) → organization guard: 404 when it does not exist (to callers with a global
 * grant only), 409 for writes while it is being deleted.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../core/index.ts';
import { Conflict, Forbidden, NotFound, TooManyRequests, Unauthenticated } from '../kernel/errors.ts';
import type { EventOrigin } from '../kernel/events.ts';
import { allowAcrossProjects, allowGlobal, allowOrganization, allowProject } from '../rbac/acl.ts';
import type { Caller } from '../rbac/caller.ts';
import type { Operation, Principal, ScopeLevel } from '../rbac/model.ts';
import { authorizationHeader } from './bearer.ts';
import type { RateLimitDecision, RateLimiter, RateLimitUsage } from './rate-limit.ts';

export interface Permission {
  endpoint: string;
  operation: Operation;
  scope: ScopeLevel;
}

export const permission = (scope: ScopeLevel, endpoint: string, operation: Operation): Permission => ({ scope, endpoint, operation });

/** Where a route's organization or project ID comes from. */
export type ScopeResolver = (request: FastifyRequest, core: Services) => Promise<string | undefined> | string | undefined;

const param = (request: FastifyRequest, name: string) => (request.params as Record<string, string | undefined>)[name];

/** The value of a path parameter, whatever its name (`organizationID`, `org_id`, `orgID`...). */
export const fromParam =
  (name: string): ScopeResolver =>
  (request) =>
    param(request, name);

/** An organization ID no organization has: what an unknown organization name resolves to. */
const noOrganization = '00000000-0000-0000-0000-000000000000';

/**
 * The organization named by a path parameter (`/v2/orgs/{name}`). An unknown name resolves
 * to an ID no organization has, so that it is refused (403) or not found (404) exactly as an
 * unknown ID would be, and callers without access learn nothing of which names exist.
 */
export const organizationNamed =
  (name: string): ScopeResolver =>
  async (request, core) => {
    const value = param(request, name);
    return value === undefined ? undefined : ((await core.organizations.idByName(value)) ?? noOrganization);
  };

export interface CallerAccess {
  kind: 'caller';
  permission?: Permission;
  organization?: ScopeResolver;
  project?: ScopeResolver;
  /**
   * The credential may come in the form body (RFC 6750 §2.2, userinfo): the caller is then
   * identified once the body is parsed, instead of before.
   */
  credentialInBody?: boolean;
}

/**
 * Who may call a route. Every route declares it (`config.access`): a route without a
 * declaration stops the start (registerFaces), so nothing is open by omission.
 */
export type Access = { kind: 'public' } | CallerAccess;

/** Anyone: pages, discovery, and endpoints that authenticate their client themselves (RFC 6749 §2.3). */
export const publicAccess: Access = { kind: 'public' };

/** Authenticated callers; with a permission, only those whose ACL allows it in the resolved scope. */
export const callers = (options: Omit<CallerAccess, 'kind'> = {}): Access => ({ kind: 'caller', ...options });

declare module 'fastify' {
  interface FastifyContextConfig {
    access: Access;
  }
  interface FastifyRequest {
    caller: Caller;
    /** The organization the route's access declaration resolved, if any. */
    organizationId?: string;
    /** The caller's rate-limit budget after this request, when one applies. */
    rateLimit?: RateLimitUsage;
  }
}

export interface AccessOptions {
  /** The face's name, for the rate limiter. */
  face: string;
  core: Services;
  /** Reads this face's credential from a request; throws Unauthenticated when there is none. Faces with public routes only have none. */
  credential?: (request: FastifyRequest) => string;
  limiter: RateLimiter;
  /** The face's rate-limit headers for a budget's state (none when left out). */
  rateLimitHeaders?: (usage: RateLimitUsage) => Record<string, string>;
}

export function describeDenial(p: Permission): string {
  return `the caller lacks ${p.operation} permission on ${p.endpoint} at ${p.scope} scope`;
}

async function isAllowed(caller: Caller, p: Permission, organizationId: string | undefined, projectId: string | undefined): Promise<boolean> {
  const acl = await caller.acl(organizationId);
  if (p.scope === 'global' || !organizationId) return allowGlobal(acl, p.endpoint, p.operation);
  if (p.scope !== 'project') return allowOrganization(acl, organizationId, p.endpoint, p.operation);
  if (projectId) return allowProject(acl, organizationId, projectId, p.endpoint, p.operation);
  // A project-level permission with no project named: a list across the organization's projects.
  return allowAcrossProjects(acl, organizationId, p.endpoint, p.operation);
}

const originActor = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

/** Who made a request, for the audit trail: never the credential itself, only its ID. */
function originOf(request: FastifyRequest, principal: Principal): EventOrigin {
  const credentialId = principal.kind === 'api_token' ? principal.apiTokenId : principal.kind === 'service_account' ? principal.serviceAccountId : undefined;
  return { actorKind: principal.kind, ...(credentialId ? { credentialId } : {}), ...originActor(request), requestId: request.id };
}

/** Installs authentication, the rate-limit decision and authorization on a face's routes. */
export function installAccess(app: FastifyInstance, { face, core, credential, limiter, rateLimitHeaders }: AccessOptions): void {
  app.decorateRequest('caller', null as unknown as Caller);
  app.decorateRequest('organizationId', undefined);
  app.decorateRequest('rateLimit', undefined);
  /** Identifies the caller (401 for a missing or bad credential), then asks the limiter (429). */
  const admit = async (request: FastifyRequest, access: Access) => {
    let principal: Principal | undefined;
    let failure: unknown;
    // Two Authorization headers are refused on every route: a caller's reader checks it as it
    // reads; a public route (the token endpoint reads client credentials later) checks it here.
    if (access.kind === 'public') authorizationHeader(request);
    if (access.kind === 'caller') {
      try {
        if (!credential) throw new Unauthenticated('this endpoint takes no credential', 'missing');
        principal = await core.authenticator.authenticate(credential(request), { ip: request.ip });
        request.caller = core.caller(principal, originOf(request, principal));
      } catch (error) {
        failure = error; // counted by the limiter first, so guessing credentials is limited too
        if (error instanceof Unauthenticated) request.server.metrics?.authenticationFailed(error.reason);
        if (error instanceof Unauthenticated && error.reason !== 'missing') {
          await core.audit.authenticationFailed({ actor: originActor(request), requestId: request.id, detail: error.message });
        }
      }
    }
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
    const decision = await limiter.check({ face, route, ip: request.ip, principal, failed: failure instanceof Unauthenticated });
    request.rateLimit = decision.usage;
    if (!decision.allowed) {
      request.server.metrics?.rateLimited(face);
      const message = decision.usage ? `the request budget of ${decision.usage.limit} per hour is used up; retry later` : 'too many requests; retry later';
      throw new TooManyRequests(message, decision.retryAfterSeconds, decision.usage?.limit);
    }
    if (failure) throw failure;
  };
  // A missing or bad credential is a 401 before the body is even read, unless the route takes
  // its credential from the body.
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access.kind === 'caller' && access.credentialInBody) return;
    await admit(request, access);
  });
  // Those few routes get the same step once the body is parsed, as a hook of their own (no other
  // request pays for it).
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access?.kind !== 'caller' || !access.credentialInBody) return;
    const admitFromBody = async (request: FastifyRequest) => admit(request, access);
    route.preValidation = [admitFromBody, ...([] as unknown[]).concat(route.preValidation ?? [])] as typeof route.preValidation;
  });
  // Each face spells the budget's state in its own headers, on every response (errors too).
  if (rateLimitHeaders) {
    app.addHook('onSend', async (request, reply) => {
      if (request.rateLimit) reply.headers(rateLimitHeaders(request.rateLimit));
    });
  }
  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config.access;
    if (access.kind !== 'caller') return;
    const organizationId = await access.organization?.(request, core);
    const projectId = await access.project?.(request, core);
    request.organizationId = organizationId;
    if (access.permission && !(await isAllowed(request.caller, access.permission, organizationId, projectId))) {
      throw new Forbidden(describeDenial(access.permission));
    }
    if (!organizationId) return;
    const state = await core.organizations.state(organizationId);
    if (!state) {
      // Only callers with a global grant may learn that an organization does not exist. Anyone
      // else gets what an outsider of an existing one gets: 403 above, or the handler's answer.
      if ((await request.caller.acl(organizationId)).global.size > 0) throw new NotFound('organization not found');
      return;
    }
    if (state.deleting && request.method !== 'GET' && request.method !== 'DELETE') throw new Conflict('the organization is being deleted');
  });
}

/**
 * A credential refused outside the access hooks (a login body, client secrets at the token
 * endpoint): audited like any failed authentication, and counted against the client address's
 * failure budget, so guessing through these doors is bounded too.
 */
export async function refusedCredential(deps: { core: Services; limiter: RateLimiter }, request: FastifyRequest, face: string, detail: string): Promise<void> {
  await deps.core.audit.authenticationFailed({ actor: originActor(request), requestId: request.id, detail });
  refuseOverBudget(await deps.limiter.check({ face, route: request.routeOptions.url ?? '', ip: request.ip, failed: true }));
}

/** Refuses (429) an attempt the limiter did not allow: outside the access hooks, where attempts are not requests of a caller. */
export function refuseOverBudget(decision: RateLimitDecision): void {
  if (!decision.allowed) throw new TooManyRequests('too many attempts; retry later', decision.retryAfterSeconds, decision.usage?.limit);
}
