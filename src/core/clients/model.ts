/** OAuth clients (relying parties), registered by platform administrators. */
import type { SigningAlg } from '../../tokens/jwt.ts';
import type { Metadata, MetadataRecord } from '../common/metadata.ts';

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export type ClientScope = 'openid' | 'email' | 'profile';
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ClientRecord extends MetadataRecord {
  secret_hash: string | null;
  token_endpoint_auth_method: ClientAuthMethod;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: GrantType[];
  scopes: ClientScope[];
  role_id: string | null;
  role_name: string | null;
  login_uri: string | null;
  onboarding_uri: string | null;
  home_uri: string | null;
  error_uri: string | null;
  id_token_signed_response_alg: SigningAlg;
}

export interface ClientInput {
  metadata: Metadata;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** A public client (browser or native app): no secret, PKCE only. */
  public?: boolean;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** How its ID tokens are signed; RS256 when left out. */
  idTokenSignedResponseAlg?: SigningAlg;
  grantTypes?: GrantType[];
  scopes?: ClientScope[];
  /** The role of a client_credentials (system) client. */
  roleId?: string;
  loginUri?: string;
  onboardingUri?: string;
  homeUri?: string;
  errorUri?: string;
}

/** A client as written: the input with its defaults applied. */
export interface ClientValues {
  metadata: Metadata;
  authMethod: ClientAuthMethod;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: GrantType[];
  scopes: ClientScope[];
  roleId: string | null;
  loginUri: string | null;
  onboardingUri: string | null;
  homeUri: string | null;
  errorUri: string | null;
  idTokenAlg: SigningAlg;
}

/** A registered client with its secret, shown once (on create, or on becoming confidential). */
export interface ClientWithSecret {
  client: ClientRecord;
  secret?: string;
}

/** How a client presented itself at the token, introspection or revocation endpoint. */
export interface ClientCredentials {
  id: string;
  secret?: string;
  method: ClientAuthMethod;
}
