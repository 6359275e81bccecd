/**
 * GET|POST /oauth2/v2/userinfo (OIDC Core §5.3), and the RFC 7662 introspection and RFC 7009
 * revocation endpoints, which share the "what is this token" question.
 */
import { AccessDenied, InvalidClient, InvalidRequest } from '../http/errors.ts';
import { bearerToken } from '../http/auth.ts';
import type { RouteModule } from '../resources/common/routing.ts';
import { authenticateClient } from './client-auth.ts';
import { FormBody, singleValued } from './forms.ts';
import { scopedClaims } from './issue.ts';
import { looksLikeJwt } from './jwt.ts';
import * as store from './store.ts';

export const tokenInfoRoutes: RouteModule = (app, { db, hasher, authenticator }) => {
  const userinfo = async (token: string) => {
    const payload = await authenticator.verify(token);
    const principal = await authenticator.fromAccessToken(payload);
    if (principal.kind !== 'user') throw new AccessDenied('userinfo needs a token issued to a user');
    return { sub: principal.userId, ...(await scopedClaims(db, principal.userId, payload.scope)) };
  };
  app.get('/oauth2/v2/userinfo', {
    schema: { operationId: 'userinfo', tags: ['oidc'] },
    handler: async (req) => userinfo(bearerToken(req)),
  });
  app.post('/oauth2/v2/userinfo', {
    schema: { operationId: 'userinfoPost', tags: ['oidc'], body: FormBody },
    handler: async (req) => {
      const form = singleValued((req.body ?? {}) as Record<string, string>);
      // RFC 6750 §2.2: the token may come in the form instead of the header.
      return userinfo(req.headers.authorization ? bearerToken(req) : form.access_token ?? bearerToken(req));
    },
  });

  app.post('/oauth2/v2/introspect', {
    schema: { operationId: 'introspect', tags: ['oidc'], body: FormBody },
    handler: async (req, reply) => {
      const form = singleValued(req.body as Record<string, string>);
      const client = await authenticateClient(db, hasher, req, form);
      if (client.token_endpoint_auth_method === 'none') throw new InvalidClient('public clients may not introspect tokens');
      if (!form.token) throw new InvalidRequest('token is required');
      reply.header('cache-control', 'no-store');
      return introspect(form.token);
    },
  });

  async function introspect(token: string): Promise<Record<string, unknown>> {
    if (looksLikeJwt(token)) {
      try {
        const payload = await authenticator.verify(token);
        const principal = await authenticator.fromAccessToken(payload);
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
    if (token.startsWith('tsr_rft_')) {
      const found = await store.findRefreshToken(db, hasher.hash(token));
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
    return { active: false };
  }

  app.post('/oauth2/v2/revoke', {
    schema: { operationId: 'revoke', tags: ['oidc'], body: FormBody },
    handler: async (req, reply) => {
      const form = singleValued(req.body as Record<string, string>);
      const client = await authenticateClient(db, hasher, req, form);
      if (!form.token) throw new InvalidRequest('token is required');
      // RFC 7009 §2.2: answer 200 whether or not the token was valid. Revoking either kind
      // of token ends its session, and with it every token of the grant.
      let sessionId: string | undefined;
      if (looksLikeJwt(form.token)) {
        const payload = await authenticator.verify(form.token).catch(() => undefined);
        if (payload?.sid && payload.client_id === client.id) sessionId = payload.sid;
      } else if (form.token.startsWith('tsr_rft_')) {
        const found = await store.findRefreshToken(db, hasher.hash(form.token));
        if (found && found.client_id === client.id) sessionId = found.id;
      }
      if (sessionId) await store.revokeSession(db, sessionId);
      return reply.status(200).send();
    },
  });
};
