-- Organization API tokens (docs/apitokens.md) and the audit trail (docs/audit.md).

-- Named, scoped machine credentials of an organization. The secret is kept as a keyed hash
-- only; during a rotation's grace window the previous hash is accepted until it ends.
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  -- Opaque grants for the platform's other services: [{type, path, scopes[]}], as given.
  resources jsonb NOT NULL DEFAULT '[]',
  -- Allowed client addresses (IPv4/IPv6 addresses or CIDR ranges); empty: anywhere.
  source_ips text[] NOT NULL DEFAULT '{}',
  expires_at timestamptz,
  active boolean NOT NULL DEFAULT true,
  -- Requests per hour; null: the organization policy's default.
  rate_limit_per_hour integer CHECK (rate_limit_per_hour > 0),
  token_hash text NOT NULL UNIQUE,
  -- The secret's first and last four characters (its checksum's end), for masked displays.
  secret_hint text NOT NULL,
  previous_token_hash text UNIQUE,
  previous_valid_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text,
  last_used_at timestamptz,
  last_used_ip text,
  UNIQUE (organization_id, id)
);
CREATE INDEX api_tokens_organization_idx ON api_tokens (organization_id, lower(name), id);

-- A token's privileges: roles at organization scope (project_id null) or in one project,
-- turned into an ACL exactly as group roles are. Deleting the project drops the grant.
CREATE TABLE api_token_grants (
  organization_id uuid NOT NULL,
  api_token_id uuid NOT NULL,
  role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  project_id uuid,
  FOREIGN KEY (organization_id, api_token_id) REFERENCES api_tokens (organization_id, id) ON DELETE CASCADE,
  FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE,
  UNIQUE NULLS NOT DISTINCT (api_token_id, role_id, project_id)
);
CREATE INDEX api_token_grants_token_idx ON api_token_grants (api_token_id);

-- Per-organization rules for its tokens; an organization without a row has the configured defaults.
CREATE TABLE api_token_policies (
  organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  max_lifetime_seconds integer CHECK (max_lifetime_seconds > 0),
  require_expiry boolean NOT NULL,
  max_tokens integer NOT NULL CHECK (max_tokens > 0),
  rate_limit_per_hour integer NOT NULL CHECK (rate_limit_per_hour > 0),
  modified_at timestamptz NOT NULL DEFAULT now(),
  modified_by text
);

-- Who did what, when, from where: written in the transaction of the change it records.
-- No foreign keys: the trail outlives what it talks about.
CREATE TABLE audit_events (
  id uuid PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  organization_id uuid,
  action text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  actor_kind text,
  actor_subject text,
  actor_credential_id text,
  actor_ip text,
  actor_user_agent text,
  target_type text,
  target_id text,
  target_name text,
  request_id text,
  -- Names of the fields a change touched (never their secret values).
  changes text[] NOT NULL DEFAULT '{}',
  detail text
);
CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, occurred_at DESC, id DESC);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC, id DESC);

-- Rate-limit counters when no Redis is configured: one row per budget and hour, updated by
-- each instance in batches (docs/ratelimits.md), never once per request.
CREATE TABLE rate_limit_counters (
  budget text NOT NULL,
  window_start timestamptz NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (budget, window_start)
);

-- The new permissions, given to the default roles.
UPDATE roles SET scopes = jsonb_set(jsonb_set(scopes, '{global,identity:apitokens}', '["create","read","update","delete"]'),
  '{global,identity:auditlogs}', '["read"]') WHERE name = 'platform-administrator';
UPDATE roles SET scopes = jsonb_set(jsonb_set(scopes, '{organization,identity:apitokens}', '["create","read","update","delete"]'),
  '{organization,identity:auditlogs}', '["read"]') WHERE name = 'administrator';
UPDATE roles SET scopes = jsonb_set(jsonb_set(scopes, '{organization,identity:apitokens}', '["read"]'),
  '{organization,identity:auditlogs}', '["read"]') WHERE name = 'auditor';
