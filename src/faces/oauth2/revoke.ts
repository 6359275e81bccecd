/**
 * POST /oauth2/v2/revoke (RFC 7009). Revoking either kind of token a client holds ends its
 * session, and with it every token of the grant, on every instance at once.
 */
import { publicAccess } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest, singleValued } from '../../http/forms.ts';
import { GrantNotAllowed, InvalidRequest } from '../../kernel/errors.ts';
import { looksLikeJwt } from '../../tokens/jwt.ts';
import { authenticateClient } from './client-auth.ts';

export const revocationRoutes: RouteModule = (app, deps) => {
  const { core } = deps;
  app.post('/oauth2/v2/revoke', {
    config: { access: publicAccess },
    schema: { operationId: 'revoke', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) => {
      const form = singleValued(req.body as Record<string, string>);
      const client = await authenticateClient(deps, req, form);
      if (!form.token) throw new InvalidRequest('token is required');
      // RFC 7009 §2.2: answer 200 whether or not the token was valid; §2.1: but a token
      // issued to another client is refused, and stays valid.
      const owner = looksLikeJwt(form.token)
        ? await core.authenticator.verify(form.token).then(
            (payload) => (payload.sid ? { clientId: payload.client_id, sessionId: payload.sid } : undefined),
            () => undefined,
          )
        : await core.sessions.findRefreshToken(form.token).then((found) => found && { clientId: found.client_id, sessionId: found.id });
      if (owner && owner.clientId !== client.id) throw new GrantNotAllowed('the token was not issued to this client');
      if (owner) await core.sessions.revoke(owner.sessionId);
      return reply.status(200).send();
    },
  });
};
