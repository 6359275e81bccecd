/** GET|POST /oauth2/v2/userinfo (OIDC Core §5.3): the claims the granted scopes allow. */
import { AccessDenied } from '../http/errors.ts';
import { bearerToken } from '../http/auth.ts';
import type { RouteModule } from '../resources/common/routing.ts';
import { FormBody, singleValued } from './forms.ts';
import { scopedClaims } from './issue.ts';

export const userinfoRoutes: RouteModule = (app, { db, authenticator }) => {
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
};
