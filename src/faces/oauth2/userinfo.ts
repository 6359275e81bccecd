/** GET|POST /oauth2/v2/userinfo (OIDC Core §5.3): the claims the granted scopes allow. */
import { callers } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest } from '../../http/forms.ts';

// The access token is read, verified, audited and budgeted like every credential (the face's
// reader also takes it from a form body, RFC 6750 §2.2); the core says what it may see.
export const userinfoRoutes: RouteModule = (app, { core }) => {
  app.get('/oauth2/v2/userinfo', {
    config: { access: callers() },
    schema: { operationId: 'userinfo', tags: ['oidc'] },
    handler: async (req) => core.issuance.userinfo(req.caller.principal),
  });
  app.post('/oauth2/v2/userinfo', {
    config: { access: callers({ credentialInBody: true }) },
    schema: { operationId: 'userinfoPost', tags: ['oidc'], ...formRequest },
    handler: async (req) => core.issuance.userinfo(req.caller.principal),
  });
};
