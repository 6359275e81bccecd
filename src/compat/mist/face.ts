/**
 * Juniper Mist's organization API-token API (`/api/v1/orgs/{org_id}/apitokens`),
 * wire-compatible, as a translation over Tessera's API tokens: no rule lives here. Errors are
 * Mist's `{detail}` with Mist's own texts (404: `{id}`, as its spec defines it).
 * docs/compat.md has the mapping of privileges and roles.
 */
import { installAccess } from '../../http/access.ts';
import { credentialReader } from '../../http/bearer.ts';
import { acceptOnly, isJson } from '../../http/body-parsers.ts';
import { errorHeaders, statusOf } from '../../http/envelope.ts';
import type { Face } from '../../http/faces.ts';
import { UnsupportedMediaType } from '../../kernel/errors.ts';
import { mistRoutes } from './routes.ts';

// Mist's texts for what Tessera says in its own words elsewhere.
const texts: Record<number, string> = {
  401: 'Authentication credentials were not provided.',
  403: 'You do not have permission to perform this action.',
};

export const mistFace: Face = {
  name: 'mist',
  prefixes: ['/api/v1/orgs/'],
  sendError(request, reply, error) {
    const status = statusOf(error);
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    if (error.code === 'too_many_requests') {
      const limit = 'limit' in error && error.limit ? error.limit : 5000;
      return reply
        .status(429)
        .headers(errorHeaders(error))
        .send({ detail: `Too Many Request. The API Token used for the request reached the ${limit} API Calls per hour threshold` });
    }
    const body =
      status === 404
        ? { id: params.apitoken_id ?? params.org_id ?? '' }
        : status === 401 && error.code === 'unauthenticated' && 'reason' in error && error.reason === 'missing'
          ? { detail: texts[401] }
          : { detail: status === 403 ? texts[403] : error.message };
    return reply.status(status).headers(errorHeaders(error)).send(body);
  },
  register(app, deps) {
    installAccess(app, { face: 'mist', core: deps.core, credential: credentialReader({ schemes: ['Token', 'Bearer'] }), limiter: deps.limiter });
    acceptOnly(app, isJson, () => new UnsupportedMediaType('Unsupported media type in request.'));
    mistRoutes(app, deps);
  },
};
