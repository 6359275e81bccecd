/**
 * The OAuth 2.0 / OpenID Connect face: discovery, JWKS, token, introspection, revocation
 * and userinfo. Clients authenticate per endpoint (RFC 6749 §2.3); errors use the OAuth
 * envelope (RFC 6749 §5.2), which is also the Identity API's.
 */
import type { FastifyRequest } from 'fastify';
import { installAccess } from '../../http/access.ts';
import { bearerToken } from '../../http/bearer.ts';
import { acceptOnly } from '../../http/body-parsers.ts';
import { type CorsRule, installCors } from '../../http/cors.ts';
import { sendEnvelope } from '../../http/envelope.ts';
import type { Face } from '../../http/faces.ts';
import { isForm } from '../../http/forms.ts';
import { type ErrorCode, InvalidRequest } from '../../kernel/errors.ts';
import { discoveryRoutes } from './discovery.ts';
import { introspectionRoutes } from './introspect.ts';
import { revocationRoutes } from './revoke.ts';
import { tokenRoutes } from './token.ts';
import { userinfoRoutes } from './userinfo.ts';

/** The domain's errors in RFC 6749 §5.2's words (and RFC 6750 §3.1's for a protected resource's bad token). */
const oauthCodes: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'invalid_token',
  client_authentication_failed: 'invalid_client',
  grant_refused: 'invalid_grant',
  grant_not_allowed: 'unauthorized_client',
  unknown_grant_type: 'unsupported_grant_type',
  scope_refused: 'invalid_scope',
};

/** The protected resource's credential (userinfo): the bearer header, or a form body's `access_token` (RFC 6750 §2.2). */
function bearerOrFormToken(request: FastifyRequest): string {
  const form = request.body as Record<string, unknown> | undefined;
  if (!request.headers.authorization && typeof form?.access_token === 'string') return form.access_token;
  return bearerToken(request);
}

export const oauth2Face: Face = {
  name: 'oauth2',
  prefixes: ['/oauth2/v2/', '/.well-known/', '/org/'],
  sendError: (_request, reply, error) => sendEnvelope(reply, error, oauthCodes),
  register(app, deps) {
    // Browser apps fetch the public documents from anywhere; the token endpoints only from
    // the origins of registered public clients (confidential clients are servers).
    const publicClients: CorsRule['origins'] = (origin) => deps.core.clients.isPublicClientOrigin(origin);
    installCors(app, {
      '/.well-known/openid-configuration': { methods: ['GET'], origins: 'any' },
      '/oauth2/v2/jwks': { methods: ['GET'], origins: 'any' },
      '/org/:organizationID/.well-known/openid-configuration': { methods: ['GET'], origins: 'any' },
      '/oauth2/v2/token': { methods: ['POST'], origins: publicClients },
      '/oauth2/v2/userinfo': { methods: ['GET', 'POST'], origins: publicClients },
      '/oauth2/v2/revoke': { methods: ['POST'], origins: publicClients },
    });
    installAccess(app, { face: 'oauth2', core: deps.core, credential: bearerOrFormToken, limiter: deps.limiter });
    // RFC 6749 §3.2: the token endpoint (and introspection, revocation) take form bodies only.
    acceptOnly(app, isForm, () => new InvalidRequest('the request body must be application/x-www-form-urlencoded (RFC 6749 §3.2)'));
    for (const routes of [discoveryRoutes, tokenRoutes, userinfoRoutes, introspectionRoutes, revocationRoutes]) routes(app, deps);
  },
};
