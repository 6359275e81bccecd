/**
 * The browser face: the pages of the login flow, onboarding, account activation and
 * logout. Every answer is a page or a redirect with the page headers (no caching, no
 * framing, no referrer); errors, including router errors under /oidc/, render the error page.
 */
import { installAccess } from '../../http/access.ts';
import { errorHeaders, statusOf } from '../../http/envelope.ts';
import type { Face } from '../../http/faces.ts';
import type { DomainError } from '../../kernel/errors.ts';
import { flowRoutes } from './flow-routes.ts';
import { logoutRoutes } from './logout.ts';
import { respond, showError } from './respond.ts';
import { signupRoutes } from './signup.ts';

const titles: Partial<Record<DomainError['code'], string>> = {
  not_found: 'Page not found',
  too_many_requests: 'Too many requests',
  unavailable: 'Temporarily unavailable',
  server_error: 'Something went wrong',
};

export const browserFace: Face = {
  name: 'browser',
  prefixes: ['/oidc/'],
  sendError(_request, reply, error) {
    reply.headers(errorHeaders(error));
    return respond(reply, showError(statusOf(error), titles[error.code] ?? 'Cannot continue', error.message), false);
  },
  register(app, deps) {
    installAccess(app, { face: 'browser', core: deps.core, limiter: deps.limiter });
    for (const routes of [flowRoutes, logoutRoutes, signupRoutes]) routes(app, deps);
  },
};
