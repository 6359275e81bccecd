/**
 * POST /oauth2/v2/revoke (RFC 7009). Revoking either kind of token a client holds ends its
 * session, and with it every token of the grant, on every instance at once.
 */
import { InvalidRequest } from '../http/errors.ts';
import type { RouteModule } from '../resources/common/routing.ts';
import { authenticateClient } from './client-auth.ts';
import { FormBody, singleValued } from './forms.ts';
import { looksLikeJwt } from '../tokens/jwt.ts';
import * as store from './store.ts';

export const revocationRoutes: RouteModule = (app, { db, hasher, authenticator }) => {
  app.post('/oauth2/v2/revoke', {
    schema: { operationId: 'revoke', tags: ['oidc'], body: FormBody },
    handler: async (req, reply) => {
      const form = singleValued(req.body as Record<string, string>);
      const client = await authenticateClient(db, hasher, req, form);
      if (!form.token) throw new InvalidRequest('token is required');
      // RFC 7009 §2.2: answer 200 whether or not the token was valid.
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
