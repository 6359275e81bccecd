/**
 * Request bodies: JSON for the API, forms for the OAuth endpoints and login pages
 * (RFC 6749 §3.2 and HTML forms). Each face says which it accepts.
 */
import type { FastifyInstance } from 'fastify';

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
