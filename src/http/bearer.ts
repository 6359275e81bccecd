import type { FastifyRequest } from 'fastify';
import { Unauthenticated } from '../kernel/errors.ts';

/**
 * A face's credential reader: the `Authorization` schemes it accepts (case-insensitive;
 * RFC 6750 §2.1 `Bearer` first), and headers that carry a bare token (a vendor's own, such
 * as CircleCI's `Circle-Token`). Every reader hands the token to the one Authenticator.
 */
export function credentialReader(options: { schemes: readonly string[]; headers?: readonly string[] }): (request: FastifyRequest) => string {
  const [first = 'Bearer'] = options.schemes;
  const pattern = new RegExp(`^(?:${options.schemes.join('|')}) +([\\x21-\\x7e]+)\\s*$`, 'i');
  return (request) => {
    for (const name of options.headers ?? []) {
      const value = request.headers[name];
      if (typeof value === 'string' && value) return value.trim();
    }
    const header = request.headers.authorization;
    if (!header) throw new Unauthenticated(`an access token is required: send Authorization: ${first} <token>`, 'missing');
    const match = pattern.exec(header);
    if (!match?.[1]) throw new Unauthenticated(`the Authorization header must be "${first} <token>"`, 'malformed');
    return match[1];
  };
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`. */
export const bearerToken = credentialReader({ schemes: ['Bearer'] });
