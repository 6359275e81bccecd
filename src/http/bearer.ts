import type { FastifyRequest } from 'fastify';
import { InvalidRequest, Unauthenticated } from '../kernel/errors.ts';

/**
 * The request's `Authorization` header, if it has one. More than one is refused: Node keeps the
 * first and drops the rest, so a credential would be chosen silently among several (RFC 9110
 * §5.3: the field is not a list). Every reader of credentials goes through here.
 */
export function authorizationHeader(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const raw = request.raw.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]?.length === 13 && raw[i]?.toLowerCase() === 'authorization') seen++;
  }
  if (seen > 1) throw new InvalidRequest('the request has more than one Authorization header: send exactly one credential');
  return header;
}

/**
 * A face's credential reader: the `Authorization` schemes it accepts (case-insensitive;
 * RFC 6750 §2.1 `Bearer` first), headers that carry a bare token (a vendor's own, such as
 * CircleCI's `Circle-Token`), HTTP Basic with the token as the user name, and query
 * parameters (CircleCI's deprecated `circle-token`; request logs never carry query strings).
 * Every reader hands the token to the one Authenticator.
 */
export function credentialReader(options: {
  schemes: readonly string[];
  headers?: readonly string[];
  basicUser?: boolean;
  queries?: readonly string[];
  /** How the face's users are told to send a credential (default: the first scheme). */
  hint?: string;
}): (request: FastifyRequest) => string {
  const [first = 'Bearer'] = options.schemes;
  const hint = options.hint ?? `Authorization: ${first} <token>`;
  const pattern = new RegExp(`^(?:${options.schemes.join('|')}) +([\\x21-\\x7e]+)\\s*$`, 'i');
  return (request) => {
    const header = authorizationHeader(request); // first, so that ambiguity is refused whichever source wins
    for (const name of options.headers ?? []) {
      const value = request.headers[name];
      if (typeof value === 'string' && value) return value.trim();
    }
    const basic = options.basicUser && header ? /^Basic ([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1] : undefined;
    const user = basic && Buffer.from(basic, 'base64').toString('utf8').split(':')[0];
    if (user) return user;
    const query = request.query as Record<string, unknown> | undefined;
    const fromQuery = (options.queries ?? []).map((name) => query?.[name]).find((value) => typeof value === 'string' && value);
    if (!header && typeof fromQuery === 'string') return fromQuery;
    if (!header) throw new Unauthenticated(`an access token is required: send ${hint}`, 'missing');
    const match = pattern.exec(header);
    if (!match?.[1]) throw new Unauthenticated(`the Authorization header must be "${first} <token>"`, 'malformed');
    return match[1];
  };
}

/** RFC 6750 §2.1: `Authorization: Bearer <token>`. */
export const bearerToken = credentialReader({ schemes: ['Bearer'] });
