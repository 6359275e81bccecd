/**
 * CircleCI's "OIDC token management" API (`/api/v2/org/{orgID}/…/oidc-custom-claims`),
 * wire-compatible, as a translation over Tessera's custom claims: no rule lives here. A
 * Tessera credential authenticates it in any of CircleCI's three ways: the `Circle-Token`
 * header, HTTP Basic with the token as the user name, or the deprecated `circle-token` query
 * parameter (this face only; request logs never carry query strings). Errors are `{error}`.
 */
import { installAccess } from '../../http/access.ts';
import { credentialReader } from '../../http/bearer.ts';
import { acceptOnly, isJson } from '../../http/body-parsers.ts';
import { errorHeaders, statusOf } from '../../http/envelope.ts';
import type { Face } from '../../http/faces.ts';
import { UnsupportedMediaType } from '../../kernel/errors.ts';
import { circleCiRoutes } from './routes.ts';

export const circleCiFace: Face = {
  name: 'circleci',
  prefixes: ['/api/v2/'],
  sendError(_request, reply, error) {
    const status = statusOf(error);
    // CircleCI's texts where its spec gives them; Tessera's reason otherwise.
    const message = status === 403 ? 'Forbidden' : status === 500 ? 'internal server error' : error.message;
    return reply.status(status).headers(errorHeaders(error)).send({ error: message });
  },
  register(app, deps) {
    installAccess(app, {
      face: 'circleci',
      core: deps.core,
      credential: credentialReader({
        schemes: ['Bearer'],
        headers: ['circle-token'],
        basicUser: true,
        queries: ['circle-token'],
        hint: 'Circle-Token: <token>',
      }),
      limiter: deps.limiter,
    });
    acceptOnly(app, isJson, () => new UnsupportedMediaType('the content type is not supported; send application/json'));
    circleCiRoutes(app, deps);
  },
};
