/**
 * Authentication and authorization of API requests. Each route declares its access in
 * `config.access`: `public`, `authenticated`, or a permission (endpoint, operation, scope
 * level). The bearer token is checked before the body is parsed (401 first); the permission
 * is checked once the path parameters are validated, so the ACL is only ever computed for
 * well-formed IDs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../credentials/authenticator.ts';
import { allowGlobal, allowOrganization, allowProject, type Acl } from '../rbac/acl.ts';
import { computeAcl, type AclContext } from '../rbac/compute.ts';
import type { Operation, Principal, ScopeLevel } from '../rbac/model.ts';
import { AccessDenied, Forbidden } from './errors.ts';

export interface Permission {
  endpoint: string;
  operation: Operation;
  scope: ScopeLevel;
}

export type Access = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    auth: RequestAuth;
  }
}

export const permission = (scope: ScopeLevel, endpoint: string, operation: Operation): Permission => ({ scope, endpoint, operation });

/** The caller of one request, with its ACL computed at most once per organization. */
export class RequestAuth {
  private readonly acls = new Map<string, Promise<Acl>>();

  constructor(
    readonly principal: Principal,
    private readonly ctx: AclContext,
  ) {}

  acl(organizationId?: string): Promise<Acl> {
    const key = organizationId ?? '';
    let acl = this.acls.get(key);
    if (!acl) {
      acl = computeAcl(this.ctx, this.principal, organizationId);
      this.acls.set(key, acl);
    }
    return acl;
  }
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`; the scheme is case-insensitive. */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new AccessDenied('an access token is required: send Authorization: Bearer <token>', null);
  const match = /^Bearer +([\x21-\x7e]+)\s*$/i.exec(header);
  if (!match) throw new AccessDenied('the Authorization header must be "Bearer <token>"', 'invalid_request');
  return match[1];
}

export function describeDenial(p: Permission): string {
  return `the caller lacks ${p.operation} permission on ${p.endpoint} at ${p.scope} scope`;
}

export async function isAllowed(auth: RequestAuth, p: Permission, params: Record<string, string | undefined>): Promise<boolean> {
  const organizationId = params.organizationID;
  const acl = await auth.acl(organizationId);
  if (p.scope === 'global' || !organizationId) return allowGlobal(acl, p.endpoint, p.operation);
  if (p.scope === 'project' && params.projectID) return allowProject(acl, organizationId, params.projectID, p.endpoint, p.operation);
  return allowOrganization(acl, organizationId, p.endpoint, p.operation);
}

export function installAuth(app: FastifyInstance, authenticator: Authenticator, aclContext: AclContext): void {
  app.decorateRequest('auth', null as unknown as RequestAuth);
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    const principal = await authenticator.authenticate(bearerToken(request));
    request.auth = new RequestAuth(principal, aclContext);
  });
  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || typeof access === 'string') return;
    if (!(await isAllowed(request.auth, access, request.params as Record<string, string>))) {
      throw new Forbidden(describeDenial(access));
    }
  });
}
