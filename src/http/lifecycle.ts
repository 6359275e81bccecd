/**
 * What every request goes through whatever its face: an ID, one log line when it completes,
 * and the drain at shutdown. During a database outage each failed request logs that one line
 * (with the failure's code and reason), not a stack trace; real faults still log theirs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { Unavailable } from '../kernel/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Why the request failed, when it did: for its log line. */
    failure?: { code: string; reason?: string; detail?: string };
  }
}

/**
 * The request line's logger. The line's fields are fixed (request ID, method, path without
 * its query, client address, status, time, failure code, reason and detail) and none can hold a
 * secret, so it skips the redaction every other line goes through, which would cost more than
 * the rest of the line: it is written on every request.
 */
const lineLoggers = new WeakMap<FastifyBaseLogger, FastifyBaseLogger>();
function lineLogger(root: FastifyBaseLogger): FastifyBaseLogger {
  let logger = lineLoggers.get(root);
  if (!logger) {
    logger = root.child({}, { redact: [] } as object);
    lineLoggers.set(root, logger);
  }
  return logger;
}

/** Fastify's request log, as one line per request instead of two: warn for 5xx, with the failure. */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const failure = request.failure ?? (error ? { code: 'response_error' } : undefined);
    const line = { reqId: request.id, req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime), ...(failure ? { failure } : {}) };
    const log = lineLogger(request.server.log);
    if (reply.statusCode >= 500 || error) log.warn(line, 'request completed');
    else log.info(line, 'request completed');
  }
}

/** Up to 128 visible ASCII characters: enough for any tracing ID, nothing that could forge a log line. */
const wellFormedRequestId = /^[\x21-\x7e]{1,128}$/;

/** The request's ID: the caller's X-Request-Id when well formed, else a new random UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && wellFormedRequestId.test(given) ? given : randomUUID();
}

/**
 * What every request goes through, in one hook whatever its face: its ID goes back in
 * `X-Request-Id`, it is counted while in flight, and during a shutdown it is refused. Once
 * `drain()` is called, every response carries `Connection: close` so clients stop reusing the
 * connection, and a request that arrives anyway (on a kept-alive connection) is answered 503 in
 * its face's envelope; requests already in flight finish.
 */
export function installLifecycle(app: FastifyInstance): { drain(): void; inFlight(): number } {
  app.decorateRequest('failure', undefined);
  let draining = false;
  let inFlight = 0;
  const done = () => {
    inFlight--;
  };
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Answered or abandoned by its client, the response closes: no longer in flight.
    inFlight++;
    reply.raw.once('close', done);
    if (!draining) return;
    reply.header('connection', 'close');
    throw new Unavailable('the server is shutting down; retry the request', 1);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  return {
    drain() {
      draining = true;
    },
    /** Requests received and not yet answered (what a forced exit cuts). */
    inFlight: () => inFlight,
  };
}
