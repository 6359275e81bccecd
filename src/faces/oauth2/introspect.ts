/**
 * POST /oauth2/v2/introspect (RFC 7662) for confidential clients: whether a token is
 * active, and what it stands for. Anything unknown, expired or revoked is just inactive.
 */

import type { Services } from '../../core/index.ts';
import { publicAccess } from '../../http/access.ts';
import { aclToWire } from '../../http/acl-wire.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest, singleValued } from '../../http/forms.ts';
import { ClientAuthenticationFailed, InvalidRequest } from '../../kernel/errors.ts';
import { looksLikeJwt } from '../../tokens/jwt.ts';
import { secretKind } from '../../tokens/secrets.ts';
import { authenticateClient } from './client-auth.ts';

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** An organization API token or a service-account token: what it may do, never its secret. */
async function introspectOpaque(core: Services, token: string, kind: 'oat' | 'sat'): Promise<Record<string, unknown>> {
  if (kind === 'oat') {
    const found = await core.apiTokenUse.introspect(token);
    if (!found) return { active: false };
    const { token: t, principal } = found;
    return {
      active: true,
      token_type: 'api_token',
      sub: principal.subject,
      organization_id: t.organization_id,
      name: t.name,
      iat: seconds(t.created_at),
      ...(t.expires_at ? { exp: seconds(t.expires_at) } : {}),
      acl: aclToWire(await core.caller(principal).acl(t.organization_id)),
      resources: t.resources,
      source_ips: t.source_ips,
    };
  }
  const principal = await core.credentials.authenticate(token).catch(() => undefined);
  if (principal?.kind !== 'service_account') return { active: false };
  return {
    active: true,
    token_type: 'service_account',
    sub: principal.serviceAccountId,
    organization_id: principal.organizationId,
    acl: aclToWire(await core.caller(principal).acl(principal.organizationId)),
  };
}

async function introspect(core: Services, token: string): Promise<Record<string, unknown>> {
  const kind = secretKind(token);
  if (kind === 'oat' || kind === 'sat') return introspectOpaque(core, token, kind);
  if (looksLikeJwt(token)) {
    try {
      const payload = await core.authenticator.verify(token);
      const principal = await core.authenticator.fromAccessToken(payload);
      return {
        active: true,
        token_type: 'Bearer',
        scope: payload.scope,
        client_id: payload.client_id,
        sub: payload.sub,
        ...(principal.kind === 'user' ? { username: principal.subject } : {}),
        exp: payload.exp,
        iat: payload.iat,
        iss: payload.iss,
        aud: payload.aud,
        jti: payload.jti,
      };
    } catch {
      return { active: false };
    }
  }
  const found = await core.sessions.findRefreshToken(token);
  if (!found?.active) return { active: false };
  return {
    active: true,
    token_type: 'refresh_token',
    scope: found.scope,
    client_id: found.client_id,
    sub: found.user_id,
    username: found.email,
    exp: Math.floor(found.exp.getTime() / 1000),
    iat: Math.floor(found.iat.getTime() / 1000),
  };
}

export const introspectionRoutes: RouteModule = (app, deps) => {
  const { core } = deps;
  app.post('/oauth2/v2/introspect', {
    config: { access: publicAccess },
    schema: { operationId: 'introspect', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) => {
      const form = singleValued(req.body as Record<string, string>);
      const client = await authenticateClient(deps, req, form);
      if (client.token_endpoint_auth_method === 'none') throw new ClientAuthenticationFailed('public clients may not introspect tokens');
      if (!form.token) throw new InvalidRequest('token is required');
      reply.header('cache-control', 'no-store');
      return introspect(core, form.token);
    },
  });
};
