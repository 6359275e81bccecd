/**
 * Validation of an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636),
 * as a pipeline of named checks. Until client and redirect URI are trusted, errors are
 * shown to the user (never redirected: that would be an open redirector, RFC 6749
 * §4.1.2.1); after that they go back to the client's redirect URI.
 */
import type { ClientRecord, ClientService } from '../../core/clients/service.ts';
import type { AuthorizationRequest } from '../../core/sessions/service.ts';

export class AuthorizationError extends Error {
  constructor(
    readonly error: string,
    message: string,
    /** Where to send the error; undefined: show an error page instead. */
    readonly redirect?: { uri: string; state?: string },
  ) {
    super(message);
  }
}

type Params = Record<string, string | undefined>;

async function checkClient(clients: ClientService, params: Params): Promise<ClientRecord> {
  const client = params.client_id ? await clients.find(params.client_id) : undefined;
  if (!client) throw new AuthorizationError('invalid_request', 'The application asking you to sign in is not registered here.');
  if (!client.grant_types.includes('authorization_code')) {
    throw new AuthorizationError('unauthorized_client', 'This application may not ask users to sign in.');
  }
  return client;
}

/** Exact string comparison, as RFC 9700 §2.1 requires; no pattern, no prefix. */
function checkRedirectUri(client: ClientRecord, params: Params): string {
  if (!params.redirect_uri || !client.redirect_uris.includes(params.redirect_uri)) {
    throw new AuthorizationError('invalid_request', 'The application gave a return address that is not registered for it.');
  }
  return params.redirect_uri;
}

function checkResponse(params: Params, fail: (error: string, message: string) => never) {
  if (params.request) fail('request_not_supported', 'request objects are not supported');
  if (params.request_uri) fail('request_uri_not_supported', 'request_uri is not supported');
  if (params.registration) fail('registration_not_supported', 'registration is not supported');
  if (params.response_type === undefined) fail('invalid_request', 'response_type is required');
  if (params.response_type !== 'code') fail('unsupported_response_type', 'response_type must be "code"');
  if (params.response_mode !== undefined && params.response_mode !== 'query') fail('invalid_request', 'response_mode must be "query"');
}

/** Scopes Tessera knows. Others are ignored, as RFC 6749 §3.3 and OIDC Core §3.1.2.1 allow. */
const knownScopes = new Set(['openid', 'email', 'profile', 'offline_access']);

/**
 * `offline_access` (OIDC Core §11) is accepted from any client; refresh tokens still go only
 * to clients with the refresh_token grant. A known scope the client is not registered for is
 * refused.
 */
function checkScope(client: ClientRecord, params: Params, fail: (error: string, message: string) => never): string {
  const scopes = (params.scope ?? '').split(' ').filter((s) => knownScopes.has(s));
  if (!scopes.includes('openid')) fail('invalid_scope', 'scope must include "openid"');
  const refused = scopes.filter((s) => s !== 'offline_access' && !(client.scopes as string[]).includes(s));
  if (refused.length) fail('invalid_scope', `scope not allowed for this client: ${refused.join(' ')}`);
  return [...new Set(scopes)].join(' ');
}

/** RFC 7636 §4.3 with S256 only: a missing method means "plain", which is refused. */
function checkPkce(params: Params, fail: (error: string, message: string) => never): string {
  if (!params.code_challenge) fail('invalid_request', 'code_challenge is required (PKCE with S256)');
  if (params.code_challenge_method !== 'S256') fail('invalid_request', 'code_challenge_method must be "S256"');
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(params.code_challenge!)) fail('invalid_request', 'code_challenge is malformed');
  return params.code_challenge!;
}

function checkPrompt(params: Params, fail: (error: string, message: string) => never) {
  const prompt = (params.prompt ?? '').split(' ').filter(Boolean);
  if (prompt.some((p) => !['none', 'login', 'consent', 'select_account'].includes(p))) fail('invalid_request', 'unknown prompt value');
  if (prompt.includes('none') && prompt.length > 1) fail('invalid_request', 'prompt "none" cannot be combined');
  let maxAge: number | undefined;
  if (params.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(params.max_age)) fail('invalid_request', 'max_age must be a non-negative integer');
    maxAge = Number(params.max_age);
  }
  return { prompt, maxAge };
}

export async function validateAuthorizationRequest(clients: ClientService, params: Params): Promise<{ client: ClientRecord; request: AuthorizationRequest }> {
  const client = await checkClient(clients, params);
  const redirectUri = checkRedirectUri(client, params);
  const fail = (error: string, message: string): never => {
    throw new AuthorizationError(error, message, { uri: redirectUri, state: params.state });
  };
  checkResponse(params, fail);
  const scope = checkScope(client, params, fail);
  const codeChallenge = checkPkce(params, fail);
  const { prompt, maxAge } = checkPrompt(params, fail);
  return {
    client,
    request: {
      clientId: client.id,
      redirectUri,
      scope,
      state: params.state,
      nonce: params.nonce,
      codeChallenge,
      prompt,
      maxAge,
      loginHint: params.login_hint,
    },
  };
}

/** RFC 6749 §4.1.2 and RFC 9207: the response parameters, always with `iss`. */
export function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.href;
}
