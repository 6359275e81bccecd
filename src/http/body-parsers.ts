/**
 * Request bodies: JSON for the API, forms for the OAuth endpoints and login pages
 * (RFC 6749 §3.2 and HTML forms). Each face says which it accepts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainError } from '../kernel/errors.ts';

export function installBodyParsers(app: FastifyInstance): void {
  // An empty JSON body (e.g. a POST to .../rotate with a content type) means "no body".
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new SyntaxError('invalid JSON'), { statusCode: 400 }), undefined);
    }
  });

  // A repeated form field becomes an array (the OAuth handlers refuse those, RFC 6749 §3.1).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const form: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(body as string)) {
      const previous = form[key];
      form[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    done(null, form);
  });
}

export const isJson = (contentType: string | undefined): boolean => /^application\/json\b/i.test(contentType ?? '');

/**
 * A face's body rule: a request body whose content type `accepts` refuses is answered with
 * `refusal()` in the face's envelope, before any parser runs (so an unknown type and a type
 * another face parses get the same answer).
 */
export function acceptOnly(app: FastifyInstance, accepts: (contentType: string | undefined) => boolean, refusal: () => DomainError): void {
  app.addHook('preParsing', async (request) => {
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    if (hasBody && !accepts(request.headers['content-type'])) throw refusal();
  });
}

/**
 * The preValidation hook of a route whose body may be left out: no body reads as `{}`. A body
 * that is there is validated as sent, so JSON `null`, `[]` or `42` is refused like any body of
 * the wrong type. The OpenAPI document marks such a route's body as not required.
 */
export async function optionalBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}

/** Whether a route's options declare its body optional (for the OpenAPI document). */
export function hasOptionalBody(route: { preValidation?: unknown }): boolean {
  const hooks = ([] as unknown[]).concat(route.preValidation ?? []);
  return hooks.includes(optionalBody);
}

/** Marks the request bodies of routes with optionalBody as not required (@fastify/swagger says they all are). */
export function markOptionalBodies<T extends object>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, Record<string, unknown>>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      if (!operation['x-optional-body']) continue;
      delete operation['x-optional-body'];
      if (operation.requestBody) (operation.requestBody as { required?: boolean }).required = false;
    }
  }
  return document;
}
