/**
 * The error hierarchy of the native API. Each class is named after its wire code (the
 * `error` enum of the Identity API 1.4.0) and carries its HTTP status; the body is always
 * `{"error": code, "error_description": text}` and is written in one place (serialize.ts).
 * Descriptions are written for the caller and never contain secrets or internals.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'not_found'
  | 'conflict'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'forbidden';

export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: ErrorCode;
  /** Extra response headers, e.g. WWW-Authenticate on 401. */
  headers: Record<string, string> = {};

  toBody(): { error: ErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}

export class InvalidRequest extends ApiError {
  readonly status = 400;
  readonly code = 'invalid_request';
}

/**
 * 401. The Identity API answers a missing, malformed, expired or revoked bearer token with
 * `access_denied`; RFC 6750 §3 adds the WWW-Authenticate challenge.
 */
export class AccessDenied extends ApiError {
  readonly status = 401;
  readonly code = 'access_denied';
  constructor(message: string, bearerError: 'invalid_token' | 'invalid_request' | null = 'invalid_token') {
    super(message);
    this.headers['www-authenticate'] = bearerError
      ? `Bearer realm="tessera", error="${bearerError}"`
      : 'Bearer realm="tessera"';
  }
}

export class Forbidden extends ApiError {
  readonly status = 403;
  readonly code = 'forbidden';
}

export class NotFound extends ApiError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class Conflict extends ApiError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class UnsupportedMediaType extends ApiError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

export class ServerError extends ApiError {
  readonly status = 500;
  readonly code = 'server_error';
  constructor() {
    super('an internal error occurred; it has been logged');
  }
}

// OAuth 2.0 token-endpoint errors (RFC 6749 §5.2). They share the envelope above.

/** Client authentication failed (RFC 6749 §5.2: 401, with a challenge for Basic). */
export class InvalidClient extends ApiError {
  readonly status = 401;
  readonly code = 'invalid_client';
  constructor(message: string) {
    super(message);
    this.headers['www-authenticate'] = 'Basic realm="tessera"';
  }
}

export class InvalidGrant extends ApiError {
  readonly status = 400;
  readonly code = 'invalid_grant';
}

export class UnauthorizedClient extends ApiError {
  readonly status = 400;
  readonly code = 'unauthorized_client';
}

export class UnsupportedGrantType extends ApiError {
  readonly status = 400;
  readonly code = 'unsupported_grant_type';
}

export class InvalidScope extends ApiError {
  readonly status = 400;
  readonly code = 'invalid_scope';
}
