/** Route-definition helpers shared by every resource's routes.ts. */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody } from './schemas.ts';
import type { Services } from '../../services.ts';

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;
export type RouteModule = (app: App, services: Services) => void;

/** The documented error responses of an authenticated endpoint. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409)[]) {
  const out: Record<number, typeof ErrorBody> = { 500: ErrorBody };
  for (const status of [400, 401, 403, ...statuses]) out[status] = ErrorBody;
  return out;
}
