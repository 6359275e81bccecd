/**
 * Cross-origin access (the Fetch standard's CORS protocol) for the few routes a browser app
 * calls directly: per route, the methods and which origins may call. Credentials (cookies)
 * are never allowed cross-origin; these routes take bearer tokens or form fields. Headers are
 * set as the request arrives, so that errors are readable cross-origin too, and a preflight
 * (OPTIONS) is answered with 204 whether or not the origin is allowed: a refused origin just
 * gets no CORS headers, and the browser blocks the call.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { publicAccess } from './access.ts';

export interface CorsRule {
  methods: readonly ('GET' | 'POST')[];
  /** 'any': every origin (public documents); otherwise decides per origin. */
  origins: 'any' | ((origin: string) => Promise<boolean>);
}

const allowedHeaders = 'authorization, content-type';
const exposedHeaders = 'www-authenticate, retry-after';

async function allow(rule: CorsRule, origin: string | undefined, reply: FastifyReply): Promise<boolean> {
  reply.header('vary', 'origin');
  if (!origin) return false;
  if (rule.origins !== 'any' && !(await rule.origins(origin))) return false;
  reply.header('access-control-allow-origin', rule.origins === 'any' ? '*' : origin);
  return true;
}

export function installCors(app: FastifyInstance, rules: Record<string, CorsRule>): void {
  app.addHook('onRequest', async (request, reply) => {
    const rule = rules[request.routeOptions.url ?? ''];
    if (rule && request.method !== 'OPTIONS' && (await allow(rule, request.headers.origin, reply))) {
      reply.header('access-control-expose-headers', exposedHeaders);
    }
  });
  for (const [path, rule] of Object.entries(rules)) {
    app.options(path, { schema: { hide: true }, config: { access: publicAccess } }, async (request, reply) => {
      const method = request.headers['access-control-request-method'];
      if ((await allow(rule, request.headers.origin, reply)) && rule.methods.some((m) => m === method)) {
        reply.header('access-control-allow-methods', rule.methods.join(', '));
        reply.header('access-control-allow-headers', allowedHeaders);
        reply.header('access-control-max-age', '600');
      }
      return reply.status(204).send();
    });
  }
}
