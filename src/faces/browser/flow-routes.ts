/**
 * HTTP side of the interactive login: /oauth2/v2/authorization, /oauth2/v2/login,
 * /oidc/callback and /oauth2/v2/onboard. Pages and redirects only; the steps are in
 * login-flow.ts and onboarding.ts.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { publicAccess } from '../../http/access.ts';
import type { RouteModule } from '../../http/faces.ts';
import { formRequest, singleValued } from '../../http/forms.ts';
import { browserCookie, ensureBrowserId, readCookie, sessionCookie } from './browser.ts';
import { LoginFlow } from './login-flow.ts';
import { secureCookies, respond as send } from './respond.ts';

export const flowRoutes: RouteModule = (app, { core, csrfKey }) => {
  const flow = new LoginFlow(core, csrfKey);
  const secure = secureCookies(core.config.issuer);
  const authorize = async (req: FastifyRequest, reply: FastifyReply, params: Record<string, string | undefined>) => {
    const browserId = ensureBrowserId(req, reply, secure);
    return send(reply, await flow.authorize(params, browserId, readCookie(req, sessionCookie)), secure);
  };
  app.get('/oauth2/v2/authorization', {
    config: { access: publicAccess },
    schema: { operationId: 'authorize', tags: ['oidc'] },
    handler: async (req, reply) => authorize(req, reply, singleValued(req.query as Record<string, string>)),
  });
  app.post('/oauth2/v2/authorization', {
    config: { access: publicAccess },
    schema: { operationId: 'authorizePost', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) => authorize(req, reply, singleValued(req.body as Record<string, string>)),
  });
  app.post('/oauth2/v2/login', {
    config: { access: publicAccess },
    schema: { operationId: 'login', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) => send(reply, await flow.login(singleValued(req.body as Record<string, string>), readCookie(req, browserCookie)), secure),
  });
  app.get('/oidc/callback', {
    config: { access: publicAccess },
    schema: { operationId: 'oidcCallback', tags: ['oidc'] },
    handler: async (req, reply) =>
      send(
        reply,
        await flow.callback(new URL(req.url, core.config.issuer), readCookie(req, browserCookie), { ip: req.ip, userAgent: req.headers['user-agent'] }),
        secure,
      ),
  });
  app.post('/oauth2/v2/onboard', {
    config: { access: publicAccess },
    schema: { operationId: 'onboard', tags: ['oidc'], ...formRequest },
    handler: async (req, reply) =>
      send(reply, await flow.onboarding.submit(singleValued(req.body as Record<string, string>), readCookie(req, browserCookie)), secure),
  });
};
