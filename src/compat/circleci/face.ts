/**
 * CircleCI's "OIDC token management" API (`/api/v2/org/{orgID}/…/oidc-custom-claims`),
 * wire-compatible, as a translation over Tessera's custom claims: no rule lives here. A
 * Tessera credential authenticates it in any of CircleCI's three ways: the `Circle-Token`
 * header, HTTP Basic with the token as the user name, or the deprecated `circle-token` query
 * parameter (this face only; request logs never carry query strings). Errors are `{error}`.
 */
import type { FastifyRequest } from 'fastify';
import { installAccess } from '../../http/access.ts';
import { acceptOnly, isJson } from '../../http/body-parsers.ts';
import { errorHeaders, statusOf } from '../../http/envelope.ts';
import type { Face } from '../../http/faces.ts';
import { Unauthenticated, UnsupportedMediaType } from '../../kernel/errors.ts';
import { circleCiRoutes } from './routes.ts';

function circleToken(request: FastifyRequest): string {
  const header = request.headers['circle-token'];
  if (typeof header === 'string' && header) return header.trim();
  const authorization = request.headers.authorization ?? '';
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
  if (basic?.[1]) {
    const user = Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0];
    if (user) return user;
  }
  const bearer = /^Bearer +([\x21-\x7e]+)$/i.exec(authorization.trim());
  if (bearer?.[1]) return bearer[1];
  const query = (request.query as Record<string, unknown> | undefined)?.['circle-token'];
  if (typeof query === 'string' && query) return query;
  throw new Unauthenticated('send a token in the Circle-Token header', 'missing');
}

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
    installAccess(app, { face: 'circleci', core: deps.core, credential: circleToken, limiter: deps.limiter });
    acceptOnly(app, isJson, () => new UnsupportedMediaType('the content type is not supported; send application/json'));
    circleCiRoutes(app, deps);
  },
};
