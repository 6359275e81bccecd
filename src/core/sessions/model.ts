/**
 * Sessions and login state. A session is a user's grant at one client (what its access and
 * refresh tokens stand for); a browser session is Tessera's single sign-on; a login request
 * is an authorization request on its way through the login page and the upstream provider.
 */
import type { UpstreamIdentity } from '../users/model.ts';

export interface SessionRecord {
  id: string;
  user_id: string;
  client_id: string;
  scope: string;
  auth_time: Date;
}

export interface LiveSessionRecord extends SessionRecord {
  email: string;
  state: string;
  expires_at: Date;
}

/** What an authorization code is bound to (RFC 6749 §4.1.3, RFC 7636 §4.6). */
export interface CodeBindings {
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
}

/** A consumed code with its session, as the consuming statement reads them together. */
export interface CodeRecord {
  session_id: string;
  client_id: string;
  nonce: string | null;
  scope: string;
  expired: boolean;
  replayed: boolean;
  user_id: string;
  auth_time: Date;
  /** The session is neither revoked nor expired, and its user is active. */
  session_live: boolean;
}

/** A refresh token's rotation: what was checked, and whether the token was rotated. */
export interface RotationRecord extends SessionRecord {
  expired: boolean;
  replayed: boolean;
  revoked: boolean;
  user_state: string;
  scope_allowed: boolean;
  rotated: boolean;
}

/** A refresh token as introspection and revocation see it (not consumed). */
export interface RefreshTokenRecord extends SessionRecord {
  exp: Date;
  iat: Date;
  active: boolean;
  email: string;
}

/** A validated authorization request (what /authorization accepted). */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge: string;
  prompt: string[];
  maxAge?: number;
  loginHint?: string;
}

export type PendingIdentity = UpstreamIdentity & { providerId: string | null };

export interface LoginRequestRecord {
  id: string;
  client_id: string;
  request: AuthorizationRequest;
  browser_hash: string | null;
  provider_id: string | null;
  upstream_secrets_ciphertext: string | null;
  pending_identity: PendingIdentity | null;
}

/** The PKCE verifier and nonce Tessera used towards the upstream provider (stored encrypted). */
export interface UpstreamSecrets {
  nonce: string;
  codeVerifier: string;
}
