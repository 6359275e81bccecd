/**
 * POST /oauth2/v2/revoke (RFC 7009). Revoking either kind of token a client holds ends its
 * session, and with it every token of the grant, on every instance at once.
 */
import type { RouteModule } from '../../http/faces.ts';
import { FormBody, singleValued } from '../../http/forms.ts';
import { InvalidRequest } from '../../kernel/errors.ts';
import { looksLikeJwt } from '../../tokens/jwt.ts';
import { authenticateClient } from './client-auth.ts';

export const revocationRoutes: RouteModule = (app, { core }) => {
  app.post('/oauth2/v2/revoke', {
    schema: { operationId: 'revoke', tags: ['oidc'], body: FormBody },
    handler: async (req, reply) => {
      const form = singleValued(req.body as Record<string, string>);
      const client = await authenticateClient(core, req, form);
      if (!form.token) throw new InvalidRequest('token is required');
      // RFC 7009 §2.2: answer 200 whether or not the token was valid.
      let sessionId: string | undefined;
      if (looksLikeJwt(form.token)) {
        const payload = await core.authenticator.verify(form.token).catch(() => undefined);
        if (payload?.sid && payload.client_id === client.id) sessionId = payload.sid;
      } else {
        const found = await core.sessions.findRefreshToken(form.token);
        if (found && found.client_id === client.id) sessionId = found.id;
      }
      if (sessionId) await core.sessions.revoke(sessionId);
      return reply.status(200).send();
    },
  });
};
