/**
 * Builds the HTTP application from explicit dependencies: the core, then each face as an
 * encapsulated plugin over it. Nothing here listens on a port or touches the environment:
 * cli.ts does that, and tests call buildApp directly.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import type { LoggerOptions } from 'pino';
import { circleCiFace } from './compat/circleci/face.ts';
import { dockerHubFace } from './compat/dockerhub/face.ts';
import { mistFace } from './compat/mist/face.ts';
import type { Config } from './config.ts';
import { followChanges } from './core/changes.ts';
import { buildCore, type CoreSeams, servicesOf } from './core/index.ts';
import type { Db } from './db/db.ts';
import { browserFace } from './faces/browser/face.ts';
import { nativeFace } from './faces/native/face.ts';
import { oauth2Face } from './faces/oauth2/face.ts';
import { systemFace } from './faces/system/face.ts';
import { hasOptionalBody, installBodyParsers, markOptionalBodies } from './http/body-parsers.ts';
import { type Face, faceFor, registerFaces, sendFaceError } from './http/faces.ts';
import { installLifecycle, OneLinePerRequest, requestIdOf } from './http/lifecycle.ts';
import { Metrics } from './http/metrics.ts';
import { type RateLimiter, unlimited } from './http/rate-limit.ts';
import type { ServerKeys } from './tokens/server-secret.ts';

export const bodyLimit = 64 * 1024;

/** Credentials never reach a log line, whatever logs the request. */
export const logRedactions = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.accessToken', '*.clientSecret', '*.token'];

/** Every face, in registration order; unknown paths go to the face owning their prefix, else to `system`. */
export const defaultFaces: readonly Face[] = [nativeFace, oauth2Face, browserFace, dockerHubFace, mistFace, circleCiFace, systemFace];

/** The process's JSON log: the level configured, credentials redacted, query strings never written. */
export function loggerOptions(config: Pick<Config, 'logLevel'>): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: logRedactions, censor: '[redacted]' },
    // Query strings carry codes, states and signup tokens: log the path only.
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split('?')[0], ip: req.ip }),
    },
  };
}

export interface AppOptions extends CoreSeams {
  config: Config;
  db: Db;
  keys: ServerKeys;
  /** Logger options (loggerOptions(config) by default), or false for none. */
  logger?: FastifyServerOptions['logger'];
  /** A logger made before the app (the server logs while it waits for the database). */
  loggerInstance?: FastifyBaseLogger;
  /** The rate-limit decision every face asks for; unlimited by default. */
  limiter?: RateLimiter;
  /** The faces to serve (all by default). */
  faces?: readonly Face[];
}

export async function buildApp({ config, db, keys, logger, loggerInstance, limiter, faces = defaultFaces, ...seams }: AppOptions) {
  const app = Fastify({
    ...(loggerInstance ? { loggerInstance } : { logger: logger ?? loggerOptions(config) }),
    bodyLimit,
    // Refuse rather than repair: unknown fields and wrong types are client errors.
    // Every failure is reported (allErrors; bodies are at most 64 kB) with its schema (verbose), so the
    // error can name an unknown field before the field it displaced, and say a pattern in words.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true, verbose: true } },
    // The client address is the socket's, unless the request comes through a trusted proxy.
    trustProxy: config.trustedProxies.length ? config.trustedProxies : false,
    logController: new OneLinePerRequest(),
    // A well-formed X-Request-Id from the caller (or its proxy) is kept, so one ID follows a
    // request through every hop; otherwise a new one, unique across restarts and instances.
    requestIdHeader: false,
    genReqId: requestIdOf,
    // New requests during shutdown get the face's envelope (installLifecycle), not Fastify's 503.
    return503OnClosing: false,
    // Router errors (bad percent-encoding, over-long parameters) in the envelope of the path's face.
    frameworkErrors: (error, request, reply) =>
      sendFaceError(faceFor(faces, systemFace, request.url), request, reply.header('x-request-id', request.id), error),
  }).withTypeProvider<TypeBoxTypeProvider>();

  const core = buildCore(db, config, keys, app.log, seams);
  const stopFollowingChanges = await followChanges(db, core.caches, app.log);
  app.addHook('onClose', stopFollowingChanges);
  db.watchAvailability((available, reason) =>
    available
      ? app.log.warn('the database answers again')
      : app.log.warn({ reason }, 'the database does not answer: requests that need it get 503 until it is back'),
  );
  const lifecycle = installLifecycle(app);
  const metrics = new Metrics({ caches: () => core.caches.stats(), changeFeedUp: () => core.caches.changeFeedUp, pool: () => db.poolStats() });
  app.decorate('metrics', metrics);
  core.issuance.onIssued((grant) => metrics.tokenIssued(grant));
  app.addHook('onResponse', async (request, reply) => {
    metrics.request(request.routeOptions.url ?? 'unknown', request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  installBodyParsers(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tessera', version: '1.4.0', description: 'Identity API 1.4.0 compatible organization, RBAC and credential service.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    hideUntagged: false,
    transform: ({ schema, url, route }) => {
      const secured = route.config?.access?.kind === 'caller';
      const optional = hasOptionalBody(route) ? { 'x-optional-body': true } : {};
      return { schema: { ...schema, ...optional, ...(secured ? { security: [{ bearer: [] }] } : {}) } as typeof schema, url };
    },
    // @fastify/swagger marks every body required; a route with optionalBody says otherwise.
    transformObject: (document) => markOptionalBodies('openapiObject' in document ? document.openapiObject : document.swaggerObject),
  });
  await registerFaces(app, faces, systemFace, { core: servicesOf(core), limiter: limiter ?? unlimited, csrfKey: keys.csrfKey });
  await app.ready();
  return { app, core, drain: lifecycle.drain, inFlight: lifecycle.inFlight, metrics };
}

export type BuiltApp = Awaited<ReturnType<typeof buildApp>>;
