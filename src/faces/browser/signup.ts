/**
 * Account activation. An account created through the API starts `pending`; the link made
 * for it (`/api/v1/signup?token=...`, optionally `&clientID=` to land on that client's home
 * page) activates it once, before it expires.
 */

import type { Services } from '../../core/index.ts';
import { publicAccess } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { singleValued } from '../../http/forms.ts';
import { redirectWith } from './authorization-request.ts';
import { type FlowResult, respond, secureCookies, showError } from './respond.ts';
import { html } from './views/html.ts';
import { page } from './views/layout.ts';

async function activate(core: Services, token: string | undefined, clientID: string | undefined): Promise<FlowResult> {
  const client = clientID ? await core.clients.find(clientID) : undefined;
  if (!token || !(await core.users.activate(token))) {
    if (client?.error_uri) return { redirect: redirectWith(client.error_uri, { error: 'invalid_request' }) };
    return showError(400, 'Link not valid', 'This activation link is not valid: it was already used or has expired.');
  }
  if (client?.home_uri) return { redirect: client.home_uri };
  return { status: 200, html: page('Account active', html`<h1>Your account is active</h1><p class="lead">You can now sign in.</p>`) };
}

export const signupRoutes: RouteModule = (app, { core }) => {
  app.get('/api/v1/signup', {
    config: { access: publicAccess },
    schema: { operationId: 'signup', tags: ['oidc'] },
    handler: async (req, reply) => {
      const { token, clientID } = singleValued(req.query as Record<string, string>);
      return respond(reply, await activate(core, token, clientID), secureCookies(core.config.issuer));
    },
  });
};
