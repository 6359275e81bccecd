/**
 * POST /oauth2/v2/token (RFC 6749 §3.2): find the grant in the registry, authenticate the client
 * when the grant has one (the core says whether it may use the grant), and hand the grant its
 * own parameters. Responses are never cached (§5.1).
 */
import { publicAccess } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest, singleValued } from '../../http/forms.ts';
import { InvalidRequest, UnknownGrantType } from '../../kernel/errors.ts';
import { authenticateClient } from './client-auth.ts';
import { authorizationCodeGrant } from './grants/authorization-code.ts';
import { clientCredentialsGrant } from './grants/client-credentials.ts';
import { refreshTokenGrant } from './grants/refresh-token.ts';
import { tokenExchangeGrant } from './grants/token-exchange.ts';
import type { Grant } from './grants/types.ts';

/** The grant registry: every grant type the token endpoint serves (discovery lists the same). */
export const grants: ReadonlyMap<string, Grant> = new Map(
  [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, tokenExchangeGrant].map((grant) => [grant.grantType, grant]),
);

export const tokenRoutes: RouteModule = (app, deps) => {
  const { core } = deps;
  app.post('/oauth2/v2/token', {
    config: { access: publicAccess }, // clients authenticate per grant (RFC 6749 §2.3)
    schema: { operationId: 'token', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const form = singleValued(req.body as Record<string, string>);
      if (!form.grant_type) throw new InvalidRequest('grant_type is required');
      const grant = grants.get(form.grant_type);
      // The value is not echoed: clients have been seen to put secrets in the wrong field.
      if (!grant) throw new UnknownGrantType(`grant_type is not one of ${[...grants.keys()].join(', ')}`);
      const client = grant.authentication === 'client' ? await authenticateClient(deps, req, form) : undefined;
      if (client) core.clients.requireGrantType(client, grant.grantType);
      const params = Object.fromEntries(grant.parameters.map((name) => [name, form[name]]));
      return grant.handle({ core, client, params, ip: req.ip });
    },
  });
};
