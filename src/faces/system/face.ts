/** Liveness, readiness and the API description; errors in the native envelope. */

import { Type } from '@sinclair/typebox';
import { publicAccess } from '../../http/access.ts';
import { authorizationHeader } from '../../http/bearer.ts';
import { sendEnvelope } from '../../http/envelope.ts';
import type { Face } from '../../http/faces.ts';
import { Unauthenticated } from '../../kernel/errors.ts';
import { constantTimeEqual } from '../../tokens/secrets.ts';

const Status = Type.Object({ status: Type.String() });

export const systemFace: Face = {
  name: 'system',
  prefixes: [],
  sendError: (_request, reply, error) => sendEnvelope(reply, error),
  register(app, { core }) {
    app.get('/healthz', {
      config: { access: publicAccess },
      schema: { operationId: 'healthz', tags: ['system'], response: { 200: Status } },
      handler: async () => ({ status: 'ok' }),
    });
    app.get('/readyz', {
      config: { access: publicAccess },
      schema: { operationId: 'readyz', tags: ['system'], response: { 200: Status, 503: Status } },
      handler: async (_req, reply) => ((await core.ready()) ? { status: 'ready' } : reply.status(503).send({ status: 'database unavailable' })),
    });
    // Metrics on the public port only with a token (TESSERA_METRICS_TOKEN); see also TESSERA_METRICS_PORT.
    const token = core.config.metricsToken;
    if (token) {
      app.get('/metrics', {
        config: { access: publicAccess },
        schema: { hide: true },
        handler: async (req, reply) => {
          const presented = /^Bearer (.+)$/.exec(authorizationHeader(req) ?? '')?.[1] ?? '';
          if (!constantTimeEqual(presented, token)) throw new Unauthenticated('the metrics token is required', presented ? 'invalid' : 'missing');
          return reply.type(app.metrics.contentType).send(await app.metrics.render());
        },
      });
    }
    app.get('/openapi.json', {
      config: { access: publicAccess },
      schema: { hide: true },
      handler: async () => app.swagger(),
    });
  },
};
