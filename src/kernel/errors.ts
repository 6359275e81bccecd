/**
 * The domain's errors. Each class is named after its stable code, which is also the wire
 * code of the Identity API where one exists; none carries an HTTP status or header. Every
 * face maps these codes into its own envelope in one place (see src/http/envelope.ts and the
 * browser face's error page). Messages are written for the caller: no secrets, no internals.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'too_many_requests'
  | 'unavailable'
  | 'client_authentication_failed'
  | 'grant_refused'
  | 'grant_not_allowed'
  | 'unknown_grant_type'
  | 'scope_refused'
  | 'server_error';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /**
   * Why exactly, for the operator's log only: the message is the public description (RFC 6749's
   * `error_description`), and says no more than the caller should learn; the detail may (which
   * check failed), never a secret.
   */
  detail?: string;

  /** Adds the logged-only detail. */
  withDetail(detail: string): this {
    this.detail = detail;
    return this;
  }
}

export class InvalidRequest extends DomainError {
  readonly code = 'invalid_request';
}

/**
 * The caller is not (or no longer) authenticated. `reason` tells a face how to challenge:
 * `missing` (no credential), `malformed` (not the expected scheme) or `invalid`.
 */
export class Unauthenticated extends DomainError {
  readonly code = 'unauthenticated';
  constructor(
    message: string,
    readonly reason: 'missing' | 'malformed' | 'invalid' = 'invalid',
  ) {
    super(message);
  }
}

export class Forbidden extends DomainError {
  readonly code = 'forbidden';
}

export class NotFound extends DomainError {
  readonly code = 'not_found';
}

export class Conflict extends DomainError {
  readonly code = 'conflict';
}

export class UnsupportedMediaType extends DomainError {
  readonly code = 'unsupported_media_type';
}

/** A rate limit refused the request; `retryAfterSeconds` says when to try again. */
/** The path exists, but not with this method (RFC 9110 §15.5.6); `allowed` are the methods it has. */
export class MethodNotAllowed extends DomainError {
  readonly code = 'method_not_allowed';
  constructor(
    message: string,
    readonly allowed: readonly string[],
  ) {
    super(message);
  }
}

export class TooManyRequests extends DomainError {
  readonly code = 'too_many_requests';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    /** The budget that ran out, per hour, when one did (a vendor's message names it). */
    readonly limit?: number,
  ) {
    super(message);
  }
}

/**
 * The service cannot answer now (its database is unreachable or too slow, or it is shutting
 * down) and the same request may succeed later: `retryAfterSeconds` says when to try again.
 */
export class Unavailable extends DomainError {
  readonly code = 'unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/** Anything unexpected. Faces never show the original error; they log it. */
export class ServerError extends DomainError {
  readonly code = 'server_error';
  constructor() {
    super('an internal error occurred; it has been logged');
  }
}

// Conditions of a client or a grant. The OAuth face writes them as RFC 6749 §5.2's codes
// (invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope);
// the domain names them for what happened.

/** A client's credentials were refused (RFC 6749 §2.3). */
export class ClientAuthenticationFailed extends DomainError {
  readonly code = 'client_authentication_failed';
}

/** A grant (a code, a refresh token, a subject token) is not valid, or no longer. */
export class GrantRefused extends DomainError {
  readonly code = 'grant_refused';
}

/** The client may not use this grant, or act on this token. */
export class GrantNotAllowed extends DomainError {
  readonly code = 'grant_not_allowed';
}

/** No such grant type. */
export class UnknownGrantType extends DomainError {
  readonly code = 'unknown_grant_type';
}

/** The scope asked for is beyond what may be granted. */
export class ScopeRefused extends DomainError {
  readonly code = 'scope_refused';
}
