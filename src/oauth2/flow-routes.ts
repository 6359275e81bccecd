/**
 * HTTP side of the interactive login: /oauth2/v2/authorization, /oauth2/v2/login,
 * /oidc/callback and /oauth2/v2/onboard. Pages and redirects only; the rules are in
 * login-flow.ts and onboarding.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteModule } from '../resources/common/routing.ts';
import { ensureBrowserId, readCookie, browserCookie, sessionCookie, setCookie } from './browser.ts';
import { FormBody, singleValued } from './forms.ts';
import type { FlowResult } from './login-flow.ts';

/** Pages must not be framed (clickjacking) or cached, and leak no referrer. */
function send(reply: FastifyReply, result: FlowResult, secure: boolean) {
  reply.header('cache-control', 'no-store').header('x-frame-options', 'DENY')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action *; frame-ancestors 'none'")
    .header('referrer-policy', 'no-referrer');
  if ('redirect' in result) {
    for (const cookie of result.cookies ?? []) setCookie(reply, secure, cookie.name, cookie.value, cookie.maxAge);
    return reply.redirect(result.redirect, 302);
  }
  return reply.status(result.status).type('text/html; charset=utf-8').send(result.html);
}

export const flowRoutes: RouteModule = (app, { flow, onboarding, config }) => {
  const secure = config.issuer.startsWith('https:');
  const authorize = async (req: FastifyRequest, reply: FastifyReply, params: Record<string, string | undefined>) => {
    const browserId = ensureBrowserId(req, reply, secure);
    return send(reply, await flow.authorize(params, browserId, readCookie(req, sessionCookie)), secure);
  };
  app.get('/oauth2/v2/authorization', {
    schema: { operationId: 'authorize', tags: ['oidc'] },
    handler: async (req, reply) => authorize(req, reply, singleValued(req.query as Record<string, string>)),
  });
  app.post('/oauth2/v2/authorization', {
    schema: { operationId: 'authorizePost', tags: ['oidc'], body: FormBody },
    handler: async (req, reply) => authorize(req, reply, singleValued(req.body as Record<string, string>)),
  });
  app.post('/oauth2/v2/login', {
    schema: { operationId: 'login', tags: ['oidc'], body: FormBody },
    handler: async (req, reply) => send(reply, await flow.login(singleValued(req.body as Record<string, string>), readCookie(req, browserCookie)), secure),
  });
  app.get('/oidc/callback', {
    schema: { operationId: 'oidcCallback', tags: ['oidc'] },
    handler: async (req, reply) => send(reply, await flow.callback(new URL(req.url, config.issuer), readCookie(req, browserCookie)), secure),
  });
  app.post('/oauth2/v2/onboard', {
    schema: { operationId: 'onboard', tags: ['oidc'], body: FormBody },
    handler: async (req, reply) => send(reply, await onboarding.submit(singleValued(req.body as Record<string, string>), readCookie(req, browserCookie)), secure),
  });
};
