/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2-3) at
 * /oauth2/v2/logout: ends the user's session at the client named by the ID token hint and
 * Tessera's single-sign-on session, then returns to a registered post-logout URI.
 */
import type { Core } from '../../core/index.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest, singleValued } from '../../http/forms.ts';
import { redirectWith } from './authorization-request.ts';
import { sessionCookie } from './browser.ts';
import { type FlowResult, respond, secureCookies, showError } from './respond.ts';
import { html } from './views/html.ts';
import { page } from './views/layout.ts';

async function logout(core: Core, params: Record<string, string | undefined>): Promise<FlowResult> {
  let userId: string | undefined;
  let clientId: string | undefined;
  if (params.id_token_hint) {
    try {
      const hint = await core.signer.verifyIdTokenHint(params.id_token_hint);
      userId = hint.sub;
      clientId = typeof hint.aud === 'string' ? hint.aud : hint.aud?.[0];
    } catch {
      return showError(400, 'Cannot sign out', 'The sign-out request could not be verified.');
    }
  }
  if (params.client_id && clientId && params.client_id !== clientId) {
    return showError(400, 'Cannot sign out', 'The sign-out request names two different applications.');
  }
  clientId ??= params.client_id;
  if (userId) await core.sessions.endUserSessions(userId, clientId);
  const cookies = [{ name: sessionCookie, value: '', maxAge: 0 }]; // ends single sign-on here too
  const client = clientId ? await core.clients.find(clientId) : undefined;
  const target = params.post_logout_redirect_uri;
  // Only an exactly registered URI of the identified client: never an open redirect.
  if (target && client?.post_logout_redirect_uris.includes(target)) {
    return { redirect: redirectWith(target, { state: params.state }), cookies };
  }
  return { cookies, status: 200, html: page('Signed out', html`<h1>Signed out</h1><p class="lead">You have signed out. You can close this window.</p>`) };
}

export const logoutRoutes: RouteModule = (app, { core }) => {
  const secure = secureCookies(core.config.issuer);
  app.get('/oauth2/v2/logout', {
    schema: { operationId: 'endSession', tags: ['oidc'] },
    handler: async (req, reply) => respond(reply, await logout(core, singleValued(req.query as Record<string, string>)), secure),
  });
  app.post('/oauth2/v2/logout', {
    schema: { operationId: 'endSessionPost', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) => respond(reply, await logout(core, singleValued(req.body as Record<string, string>)), secure),
  });
};
