/**
 * Faces: the wire formats Tessera is served in (the native Identity API, OAuth 2.0 / OpenID
 * Connect, the browser pages, and vendor-compatible APIs). Each face is an encapsulated
 * Fastify plugin with its own routes, schemas, credential extraction, access declarations
 * and error envelope, over the same core. Router errors that happen before any route is
 * chosen (unknown path, bad percent-encoding, an over-long parameter) are answered by the
 * face that owns the path's prefix, in its envelope.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../core/index.ts';
import { type DomainError, MethodNotAllowed, NotFound, Unavailable } from '../kernel/errors.ts';
import { toDomainError } from './normalize.ts';
import type { RateLimiter } from './rate-limit.ts';

// biome-ignore lint/suspicious/noExplicitAny: Fastify's generic defaults for server, request and reply types.
export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

export interface FaceDeps {
  core: Services;
  /** The key of the CSRF tokens of the browser pages' forms (a server key, from the composition). */
  csrfKey: Buffer;
  limiter: RateLimiter;
}

/** A set of routes of one face. */
export type RouteModule = (app: App, deps: FaceDeps) => void;

export interface Face {
  name: string;
  /** Path prefixes whose unknown routes and router errors this face answers. */
  prefixes: readonly string[];
  /** Writes an error in this face's envelope. */
  sendError(request: FastifyRequest, reply: FastifyReply, error: DomainError): FastifyReply | Promise<FastifyReply>;
  /** Adds the face's routes and hooks to its own encapsulated context. */
  register(app: App, deps: FaceDeps): void | Promise<void>;
}

/** The face that owns a URL: the longest matching prefix, else the fallback. */
export function faceFor(faces: readonly Face[], fallback: Face, url: string): Face {
  let best: Face = fallback;
  let length = -1;
  for (const face of faces) {
    for (const prefix of face.prefixes) {
      if (url.startsWith(prefix) && prefix.length > length) [best, length] = [face, prefix.length];
    }
  }
  return best;
}

/** Sends any thrown value as `face`'s error; faults are logged, never shown. */
export function sendFaceError(face: Face, request: FastifyRequest, reply: FastifyReply, thrown: unknown) {
  const error = toDomainError(thrown);
  request.failure = {
    code: error.code,
    ...(thrown instanceof Unavailable && 'reason' in thrown ? { reason: String(thrown.reason) } : {}),
    ...(error.detail ? { detail: error.detail } : {}),
  };
  if (error.code === 'server_error') request.log.error({ err: thrown }, 'request failed');
  return face.sendError(request, reply, error);
}

/**
 * Registers each face in its own context, and routes unknown paths to the owning face. A route
 * that does not declare its access (`config.access`) stops the start: access is never open by
 * omission.
 */
export async function registerFaces(app: App, faces: readonly Face[], fallback: Face, deps: FaceDeps): Promise<void> {
  const undeclared: string[] = [];
  app.addHook('onRoute', (route) => {
    if (!(route.config as { access?: unknown } | undefined)?.access) undeclared.push(`${route.method} ${route.url}`);
  });
  for (const face of faces) {
    await app.register(async (scope: App) => {
      scope.setErrorHandler((error, request, reply) => sendFaceError(face, request, reply, error));
      await face.register(scope, deps);
    });
  }
  if (undeclared.length) throw new Error(`routes without an access declaration (config.access): ${undeclared.join(', ')}`);
  app.setNotFoundHandler((request, reply) => {
    // The path is not echoed: a reflected URL is a gift to anyone crafting a phishing page.
    const allowed = methodsOf(request);
    const error = allowed.length
      ? new MethodNotAllowed(`this path does not take ${request.method}; it takes ${allowed.join(', ')}`, allowed)
      : new NotFound(`no route matches this ${request.method} request`);
    return faceFor(faces, fallback, request.url).sendError(request, reply, error);
  });
}

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The methods a route exists for at the request's path (RFC 9110 §15.5.6: a 405 says them in Allow). */
function methodsOf(request: FastifyRequest): string[] {
  const path = request.url.split('?')[0] ?? '';
  return methods.filter((method) => request.server.findRoute({ method: method as 'GET', url: path }) !== null);
}
