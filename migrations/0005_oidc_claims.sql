-- Custom claims of workload identity tokens (CircleCI's "OIDC token management"): per
-- organization (project_id null) and per project, each claim customized or not (null).
-- The *_updated_at stamps stay after a reset and are re-stamped by it, as CircleCI does.
CREATE TABLE oidc_claims (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  project_id uuid,
  audience text[],
  audience_updated_at timestamptz,
  ttl_ms bigint CHECK (ttl_ms > 0),
  ttl_updated_at timestamptz,
  FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE,
  UNIQUE NULLS NOT DISTINCT (organization_id, project_id)
);

-- identity:oidcclaims manages the claims; identity:workloadtokens (create) mints tokens for a
-- project's workloads (a CI runner's service account or API token holds it).
UPDATE roles SET scopes = jsonb_set(jsonb_set(scopes, '{global,identity:oidcclaims}', '["create","read","update","delete"]'),
  '{global,identity:workloadtokens}', '["create"]') WHERE name = 'platform-administrator';
UPDATE roles SET scopes = jsonb_set(jsonb_set(scopes, '{organization,identity:oidcclaims}', '["create","read","update","delete"]'),
  '{organization,identity:workloadtokens}', '["create"]') WHERE name = 'administrator';
UPDATE roles SET scopes = jsonb_set(scopes, '{organization,identity:oidcclaims}', '["read"]') WHERE name = 'auditor';

-- Workload identity federation (RFC 8693): which outside (or Tessera's own per-organization)
-- issuers' tokens a service account accepts, for which audiences and subjects.
CREATE TABLE trust_policies (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  service_account_id uuid NOT NULL,
  issuer text NOT NULL,
  audiences text[] NOT NULL,
  subject_pattern text NOT NULL,
  required_claims jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  FOREIGN KEY (organization_id, service_account_id) REFERENCES service_accounts (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX trust_policies_issuer_idx ON trust_policies (issuer);
CREATE INDEX trust_policies_account_idx ON trust_policies (organization_id, service_account_id);
