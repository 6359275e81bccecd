-- RS256 beside ES256 (OpenID Connect Discovery §3 requires RS256 support). The key ring
-- keeps one current key per algorithm; existing keys are ES256.
ALTER TABLE signing_keys ADD COLUMN alg text NOT NULL DEFAULT 'ES256' CHECK (alg IN ('ES256', 'RS256'));
ALTER TABLE signing_keys ALTER COLUMN alg DROP DEFAULT;

-- The algorithm of each client's ID tokens (OIDC Dynamic Client Registration §2,
-- id_token_signed_response_alg). Clients registered before this keep ES256, which their
-- relying parties already verify; new clients default to RS256.
ALTER TABLE oauth_clients ADD COLUMN id_token_signed_response_alg text NOT NULL DEFAULT 'ES256'
  CHECK (id_token_signed_response_alg IN ('ES256', 'RS256'));
ALTER TABLE oauth_clients ALTER COLUMN id_token_signed_response_alg SET DEFAULT 'RS256';

-- The browser (single-sign-on session) a client session was started in, so that logging out
-- of one browser ends that browser's sessions only (OIDC RP-Initiated Logout §2).
ALTER TABLE sessions ADD COLUMN browser_session_id uuid REFERENCES browser_sessions (id) ON DELETE SET NULL;
CREATE INDEX sessions_browser_session_idx ON sessions (browser_session_id) WHERE revoked_at IS NULL;
