-- OpenID Connect provider: signing keys, OAuth clients, upstream identities, login state,
-- sessions, authorization codes and refresh tokens. Everything a login needs lives here,
-- so any instance can continue a flow another instance started.

-- ES256 key ring. The private key is encrypted with the server secret. A key signs while
-- current; once retired it stays in the JWKS until every token it signed has expired.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  public_jwk jsonb NOT NULL,
  private_jwk_ciphertext text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz,
  -- When retired: the moment the last token signed by this key expires.
  published_until timestamptz
);

CREATE TABLE oauth_clients (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '[]',
  -- NULL for a public client (PKCE, no secret).
  secret_hash text,
  token_endpoint_auth_method text NOT NULL
    CHECK (token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'none')),
  redirect_uris text[] NOT NULL DEFAULT '{}',
  post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
  grant_types text[] NOT NULL,
  scopes text[] NOT NULL,
  -- The role whose global grants a client_credentials token carries (system accounts).
  role_id uuid REFERENCES roles (id),
  login_uri text,
  onboarding_uri text,
  home_uri text,
  error_uri text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text,
  CHECK ((secret_hash IS NULL) = (token_endpoint_auth_method = 'none'))
);
CREATE UNIQUE INDEX oauth_clients_name_key ON oauth_clients (lower(name));

-- Upstream identities, the key users are found by: (issuer, subject), not the email.
CREATE TABLE user_identities (
  issuer text NOT NULL,
  subject text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider_id uuid REFERENCES oauth2_providers (id) ON DELETE SET NULL,
  email text,
  given_name text,
  family_name text,
  name text,
  picture text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);

-- One row per authorization request, from /authorization to the code it ends with.
CREATE TABLE login_requests (
  id uuid PRIMARY KEY,
  -- Keyed hash of the opaque `state` Tessera hands to the login page.
  state_hash text NOT NULL UNIQUE,
  client_id uuid NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
  -- The validated authorization request (redirect_uri, scope, state, nonce, PKCE, ...).
  request jsonb NOT NULL,
  -- Keyed hash of the browser-binding cookie set with the request (login CSRF defence).
  browser_hash text,
  provider_id uuid REFERENCES oauth2_providers (id) ON DELETE CASCADE,
  -- Keyed hash of the state sent upstream; cleared when the callback consumes it.
  upstream_state_hash text UNIQUE,
  -- PKCE verifier and nonce towards upstream, encrypted with the server secret.
  upstream_secrets_ciphertext text,
  -- Set after the upstream login when the user must still onboard.
  pending_identity jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX login_requests_expires_idx ON login_requests (expires_at);

-- A user's login at a client. Tokens carry its ID; revoking the session revokes them.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
  scope text NOT NULL,
  auth_time timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user_client_idx ON sessions (user_id, client_id) WHERE revoked_at IS NULL;

-- Tessera's own single-sign-on cookie (prompt=none, max_age): which user, since when.
CREATE TABLE browser_sessions (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  auth_time timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

CREATE TABLE authorization_codes (
  code_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  client_id uuid NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
  redirect_uri text NOT NULL,
  code_challenge text NOT NULL,
  nonce text,
  scope text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz
);

-- Refresh tokens rotate on every use; all generations of one grant share a family (the
-- session). Presenting a consumed one is a replay: the whole family is revoked.
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Single-use, expiring links that activate accounts created through the API.
CREATE TABLE signup_tokens (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid REFERENCES oauth_clients (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz
);

-- Platform administrators manage OAuth clients.
UPDATE roles
   SET scopes = jsonb_set(scopes, '{global,identity:oauth2clients}', '["create","read","update","delete"]')
 WHERE name = 'platform-administrator';
