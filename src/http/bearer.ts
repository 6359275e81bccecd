import type { FastifyRequest } from 'fastify';
import { Unauthenticated } from '../kernel/errors.ts';

/** RFC 6750 §2.1: `Authorization: Bearer <token>`; the scheme is case-insensitive. */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new Unauthenticated('an access token is required: send Authorization: Bearer <token>', 'missing');
  const match = /^Bearer +([\x21-\x7e]+)\s*$/i.exec(header);
  if (!match?.[1]) throw new Unauthenticated('the Authorization header must be "Bearer <token>"', 'malformed');
  return match[1];
}
