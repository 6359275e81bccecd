/**
 * Docker Hub's organization access-token API (`/v2/orgs/{name}/access-tokens`, and the
 * `/v2/auth/token` login), wire-compatible, as a translation over Tessera's API tokens: no
 * rule lives here. Errors use Docker's bodies: `{fields, text}` for a 400, `{detail, message}`
 * otherwise. docs/compat.md has the mapping.
 */
import { installAccess } from '../../http/access.ts';
import { bearerToken } from '../../http/bearer.ts';
import { acceptOnly, isJson } from '../../http/body-parsers.ts';
import { errorHeaders, statusOf } from '../../http/envelope.ts';
import type { Face } from '../../http/faces.ts';
import { UnsupportedMediaType } from '../../kernel/errors.ts';
import { dockerHubRoutes } from './routes.ts';

/** Docker's 400 names the field when the message starts with one (`body.label …`). */
function fieldsOf(message: string): Record<string, string[]> {
  const field = /^body\.([\w.]+) /.exec(message)?.[1];
  return field ? { [field]: [message] } : {};
}

export const dockerHubFace: Face = {
  name: 'dockerhub',
  prefixes: ['/v2/'],
  sendError(_request, reply, error) {
    const status = statusOf(error);
    if (error.code === 'too_many_requests' && 'retryAfterSeconds' in error) {
      // Docker's 429: X-Retry-After is a unix time, not seconds.
      const retryAt = Math.floor(Date.now() / 1000) + Number(error.retryAfterSeconds);
      return reply
        .status(429)
        .headers({ ...errorHeaders(error), 'x-retry-after': String(retryAt) })
        .send({ detail: 'Rate limit exceeded', error: false });
    }
    const body = status === 400 ? { fields: fieldsOf(error.message), text: error.message } : { detail: error.message, message: error.message };
    return reply.status(status).headers(errorHeaders(error)).send(body);
  },
  register(app, deps) {
    installAccess(app, {
      face: 'dockerhub',
      core: deps.core,
      credential: bearerToken,
      limiter: deps.limiter,
      // Docker sends these on every response; the reset is a unix time.
      rateLimitHeaders: (usage) => ({
        'x-ratelimit-limit': String(usage.limit),
        'x-ratelimit-remaining': String(usage.remaining),
        'x-ratelimit-reset': String(usage.resetAt),
      }),
    });
    acceptOnly(app, isJson, () => new UnsupportedMediaType('the content type is not supported; send application/json'));
    dockerHubRoutes(app, deps);
  },
};
