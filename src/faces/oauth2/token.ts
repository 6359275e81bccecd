/**
 * POST /oauth2/v2/token (RFC 6749 §3.2): authenticate the client, check the grant type is
 * allowed for it, and hand over to the grant. Responses are never cached (§5.1).
 */
import { publicAccess } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest, singleValued } from '../../http/forms.ts';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from '../../kernel/errors.ts';
import { authenticateClient } from './client-auth.ts';
import { authorizationCodeGrant } from './grants/authorization-code.ts';
import { clientCredentialsGrant } from './grants/client-credentials.ts';
import { refreshTokenGrant } from './grants/refresh-token.ts';
import { exchangeToken, tokenExchangeGrantType } from './grants/token-exchange.ts';
import type { Grant } from './grants/types.ts';

const grants = new Map<string, Grant>([authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant].map((g) => [g.grantType, g]));

export const tokenRoutes: RouteModule = (app, deps) => {
  const { core } = deps;
  app.post('/oauth2/v2/token', {
    config: { access: publicAccess },
    schema: { operationId: 'token', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const form = singleValued(req.body as Record<string, string>);
      if (!form.grant_type) throw new InvalidRequest('grant_type is required');
      if (form.grant_type === tokenExchangeGrantType) {
        const exchanged = await exchangeToken(core, form, req.ip);
        app.metrics.tokenIssued(tokenExchangeGrantType);
        return exchanged;
      }
      const grant = grants.get(form.grant_type);
      // The value is not echoed: clients have been seen to put secrets in the wrong field.
      if (!grant) throw new UnsupportedGrantType(`grant_type is not one of ${[...grants.keys(), tokenExchangeGrantType].join(', ')}`);
      const client = await authenticateClient(deps, req, form);
      if (!(client.grant_types as string[]).includes(grant.grantType)) throw new UnauthorizedClient(`this client may not use ${grant.grantType}`);
      const issued = await grant.handle(core, client, form);
      app.metrics.tokenIssued(grant.grantType);
      return issued;
    },
  });
};
