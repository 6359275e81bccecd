/**
 * The Identity API's error envelope, `{"error": code, "error_description": text}`, shared by
 * the native API and the OAuth 2.0 endpoints (RFC 6749 §5.2 uses the same shape). This is
 * the one place where a domain error's code becomes a status, a wire code and headers.
 */
import type { FastifyReply } from 'fastify';
import { type DomainError, type ErrorCode, MethodNotAllowed } from '../kernel/errors.ts';

const statuses: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unsupported_media_type: 415,
  method_not_allowed: 405,
  too_many_requests: 429,
  unavailable: 503,
  client_authentication_failed: 401,
  grant_refused: 400,
  grant_not_allowed: 400,
  unknown_grant_type: 400,
  scope_refused: 400,
  server_error: 500,
};

/** Where the wire code differs from the domain's (the Identity API's enum has no 401, 429 or 503 code of its own). */
const wireCodes: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'access_denied',
  method_not_allowed: 'invalid_request',
  too_many_requests: 'temporarily_unavailable',
  unavailable: 'temporarily_unavailable',
};

export const statusOf = (error: DomainError): number => statuses[error.code];

/** RFC 6750 §3 and RFC 6749 §5.2 challenges, RFC 9110 §10.2.3 Retry-After. */
export function errorHeaders(error: DomainError): Record<string, string> {
  switch (error.code) {
    case 'unauthenticated': {
      const reason = 'reason' in error ? error.reason : 'invalid';
      if (reason === 'missing') return { 'www-authenticate': 'Bearer realm="tessera"' };
      return { 'www-authenticate': `Bearer realm="tessera", error="${reason === 'malformed' ? 'invalid_request' : 'invalid_token'}"` };
    }
    case 'client_authentication_failed':
      return { 'www-authenticate': 'Basic realm="tessera"' };
    case 'method_not_allowed':
      return error instanceof MethodNotAllowed ? { allow: error.allowed.join(', ') } : {};
    case 'too_many_requests':
    case 'unavailable':
      return { 'retry-after': String('retryAfterSeconds' in error ? error.retryAfterSeconds : 1) };
    default:
      return {};
  }
}

/** Writes the envelope; `codes` lets a face spell a code its own way (userinfo: `invalid_token`). */
export function sendEnvelope(reply: FastifyReply, error: DomainError, codes: Partial<Record<ErrorCode, string>> = {}) {
  return reply
    .status(statusOf(error))
    .headers(errorHeaders(error))
    .send({ error: codes[error.code] ?? wireCodes[error.code] ?? error.code, error_description: error.message });
}
