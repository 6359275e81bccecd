/** GET|POST /oauth2/v2/userinfo (OIDC Core §5.3): the claims the granted scopes allow. */
import type { Core } from '../../core/index.ts';
import { bearerToken } from '../../http/bearer.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest, singleValued } from '../../http/forms.ts';
import { Unauthenticated } from '../../kernel/errors.ts';

async function userinfo(core: Core, token: string) {
  const payload = await core.authenticator.verify(token);
  const principal = await core.authenticator.fromAccessToken(payload);
  if (principal.kind !== 'user') throw new Unauthenticated('userinfo needs a token issued to a user');
  return { sub: principal.userId, ...(await core.tokens.scopedClaims(principal.userId, payload.scope ?? '')) };
}

export const userinfoRoutes: RouteModule = (app, { core }) => {
  app.get('/oauth2/v2/userinfo', {
    schema: { operationId: 'userinfo', tags: ['oidc'] },
    handler: async (req) => userinfo(core, bearerToken(req)),
  });
  app.post('/oauth2/v2/userinfo', {
    schema: { operationId: 'userinfoPost', tags: ['oidc'], ...formRequest },
    handler: async (req) => {
      const form = singleValued((req.body ?? {}) as Record<string, string>);
      // RFC 6750 §2.2: the token may come in the form instead of the header.
      return userinfo(core, req.headers.authorization ? bearerToken(req) : (form.access_token ?? bearerToken(req)));
    },
  });
};
