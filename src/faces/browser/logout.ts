/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2-3) at /oauth2/v2/logout.
 * It ends this browser's single-sign-on session and the client sessions started in it (the
 * user's other browsers keep theirs), and the client session an ID token hint names. Without
 * a valid hint for the user signed in here, the user is asked to confirm first (§2), so a
 * third-party page cannot sign anyone out. Afterwards it returns to a registered post-logout
 * URI of the identified client, or shows a page.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../core/index.ts';
import { publicAccess } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest, singleValued } from '../../http/forms.ts';
import { redirectWith } from './authorization-request.ts';
import { csrfMatches, csrfToken, ensureBrowserId, readCookie, sessionCookie } from './browser.ts';
import { type FlowResult, respond, secureCookies, showError } from './respond.ts';
import { html } from './views/html.ts';
import { page } from './views/layout.ts';
import { logoutPage } from './views/pages.ts';

type Params = Record<string, string | undefined>;

/** What a logout request arrives with: its parameters, this browser's cookies, and whether it is the confirming POST. */
interface LogoutRequest {
  params: Params;
  browserId: string;
  ssoToken?: string;
  confirming: boolean;
}

const csrfPurpose = 'logout';
/** Parameters carried through the confirmation page (the hint is not: it was not good enough). */
const carried = ['client_id', 'post_logout_redirect_uri', 'state', 'ui_locales'] as const;

async function logout(core: Services, csrfKey: Buffer, { params, browserId, ssoToken, confirming }: LogoutRequest): Promise<FlowResult> {
  let hint: { sub?: string; aud?: string | string[]; sid?: unknown } | undefined;
  if (params.id_token_hint) {
    hint = await core.issuance.verifyIdTokenHint(params.id_token_hint).catch(() => undefined);
    if (!hint?.sub) return showError(400, 'Cannot sign out', 'The sign-out request could not be verified.');
  }
  const hintedClient = typeof hint?.aud === 'string' ? hint.aud : hint?.aud?.[0];
  if (params.client_id && hintedClient && params.client_id !== hintedClient) {
    return showError(400, 'Cannot sign out', 'The sign-out request names two different applications.');
  }
  const clientId = hintedClient ?? params.client_id;
  const sso = ssoToken ? await core.sessions.browserSession(ssoToken) : undefined;
  const confirmed = confirming && csrfMatches(csrfKey, browserId, csrfPurpose, params.csrf);
  if (confirming && !confirmed) return showError(400, 'Cannot sign out', 'This sign-out form has expired. Start again from the application.');
  // A hint for someone else than the user signed in here does not speak for this browser.
  if (sso && !confirmed && hint?.sub !== sso.user_id) {
    const kept = Object.fromEntries(carried.flatMap((name) => (params[name] ? [[name, params[name]]] : [])));
    return {
      status: 200,
      html: logoutPage({ csrf: csrfToken(csrfKey, browserId, csrfPurpose), carried: { ...kept, ...(clientId ? { client_id: clientId } : {}) } }),
    };
  }
  // The hint's own session (its `sid`) ends too, unless the hint is another user's.
  const user = sso?.user_id ?? hint?.sub;
  const clientSessionId = hint?.sub === user && typeof hint?.sid === 'string' ? hint.sid : undefined;
  if (user && (sso || clientSessionId)) await core.sessions.endBrowserSession(user, { browserSessionId: sso?.id, clientSessionId });
  const cookies = [{ name: sessionCookie, value: '', maxAge: 0 }];
  const client = clientId ? await core.clients.find(clientId) : undefined;
  const target = params.post_logout_redirect_uri;
  // Only an exactly registered URI of the identified client: never an open redirect.
  if (target && client?.post_logout_redirect_uris.includes(target)) {
    return { redirect: redirectWith(target, { state: params.state }), cookies };
  }
  return { cookies, status: 200, html: page('Signed out', html`<h1>Signed out</h1><p class="lead">You have signed out. You can close this window.</p>`) };
}

export const logoutRoutes: RouteModule = (app, { core, csrfKey }) => {
  const secure = secureCookies(core.config.issuer);
  const handle = (req: FastifyRequest, reply: FastifyReply, params: Params, confirming: boolean) =>
    logout(core, csrfKey, { params, browserId: ensureBrowserId(req, reply, secure), ssoToken: readCookie(req, sessionCookie), confirming });
  app.get('/oauth2/v2/logout', {
    config: { access: publicAccess },
    schema: { operationId: 'endSession', tags: ['oidc'] },
    handler: async (req, reply) => respond(reply, await handle(req, reply, singleValued(req.query as Params), false), secure),
  });
  app.post('/oauth2/v2/logout', {
    config: { access: publicAccess },
    schema: { operationId: 'endSessionPost', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) => {
      const params = singleValued(req.body as Params);
      return respond(reply, await handle(req, reply, params, params.confirm === 'yes'), secure);
    },
  });
};
