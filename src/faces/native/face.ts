/**
 * The native face: the Identity API 1.4.0 administration API under /api/v1. Bearer
 * credentials (RFC 6750), JSON bodies only, and the `{error, error_description}` envelope.
 */
import { installAccess } from '../../http/access.ts';
import { credentialReader } from '../../http/bearer.ts';
import { acceptOnly, isJson } from '../../http/body-parsers.ts';
import { sendEnvelope } from '../../http/envelope.ts';
import type { Face } from '../../http/faces.ts';
import { ietfRateLimitHeaders } from '../../http/rate-limit.ts';
import { UnsupportedMediaType } from '../../kernel/errors.ts';
import { aclRoutes } from './acl/routes.ts';
import { allocationRoutes } from './allocations/routes.ts';
import { apiTokenRoutes } from './apitokens/routes.ts';
import { auditRoutes } from './auditlogs/routes.ts';
import { groupRoutes } from './groups/routes.ts';
import { clientRoutes } from './oauth2clients/routes.ts';
import { providerRoutes } from './oauth2providers/routes.ts';
import { oidcClaimRoutes } from './oidcclaims/routes.ts';
import { organizationRoutes } from './organizations/routes.ts';
import { projectRoutes } from './projects/routes.ts';
import { quotaRoutes } from './quotas/routes.ts';
import { acceptReadForms } from './read-form.ts';
import { roleRoutes } from './roles/routes.ts';
import { serviceAccountRoutes } from './serviceaccounts/routes.ts';
import { signingKeyRoutes } from './signingkeys/routes.ts';
import { trustPolicyRoutes } from './trustpolicies/routes.ts';
import { userRoutes } from './users/routes.ts';
import { workloadTokenRoutes } from './workloadtokens/routes.ts';

const routeModules = [
  organizationRoutes,
  aclRoutes,
  roleRoutes,
  groupRoutes,
  projectRoutes,
  userRoutes,
  serviceAccountRoutes,
  providerRoutes,
  quotaRoutes,
  allocationRoutes,
  clientRoutes,
  apiTokenRoutes,
  auditRoutes,
  oidcClaimRoutes,
  workloadTokenRoutes,
  trustPolicyRoutes,
  signingKeyRoutes,
];

export const nativeFace: Face = {
  name: 'native',
  prefixes: ['/api/v1/'],
  // 429 says `rate_limited` here (issue 9); OAuth endpoints keep `temporarily_unavailable`.
  sendError: (_request, reply, error) => sendEnvelope(reply, error, { too_many_requests: 'rate_limited' }),
  register(app, deps) {
    // Bearer (RFC 6750), and Mist's `Token` scheme for API tokens; both reach the one Authenticator.
    installAccess(app, {
      face: 'native',
      core: deps.core,
      credential: credentialReader({ schemes: ['Bearer', 'Token'] }),
      limiter: deps.limiter,
      rateLimitHeaders: ietfRateLimitHeaders,
    });
    // The API speaks JSON only: any other body is refused with 415.
    acceptOnly(app, isJson, () => new UnsupportedMediaType('the content type is not supported; send application/json'));
    acceptReadForms(app);
    for (const routes of routeModules) routes(app, deps);
  },
};
