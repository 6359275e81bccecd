import { Type } from '@sinclair/typebox';
import type { RouteModule } from './resources/common/routing.ts';

/** Liveness, readiness and the API description. */
export const systemRoutes: RouteModule = (app, { db }) => {
  const Status = Type.Object({ status: Type.String() });
  app.get('/healthz', {
    schema: { operationId: 'healthz', tags: ['system'], response: { 200: Status } },
    handler: async () => ({ status: 'ok' }),
  });
  app.get('/readyz', {
    schema: { operationId: 'readyz', tags: ['system'], response: { 200: Status, 503: Status } },
    handler: async (_req, reply) => {
      try {
        await db.query('SELECT 1');
        return { status: 'ready' };
      } catch {
        return reply.status(503).send({ status: 'database unavailable' });
      }
    },
  });
  app.get('/openapi.json', {
    schema: { hide: true },
    handler: async () => app.swagger(),
  });
};
