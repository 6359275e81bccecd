-- Tessera schema, version 1. Forward-only: later changes are new numbered files.
-- Every organization-scoped table carries organization_id, and references between
-- organization-scoped rows are composite foreign keys on (organization_id, id), so the
-- database itself refuses a link from one organization to another organization's row.

CREATE TABLE roles (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  protected boolean NOT NULL DEFAULT false,
  -- {"global"|"organization"|"project": {"<service>:<endpoint>": ["create"|"read"|"update"|"delete", ...]}}
  scopes jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '[]',
  organization_type text NOT NULL CHECK (organization_type IN ('adhoc', 'domain')),
  domain text,
  provider_scope text CHECK (provider_scope IN ('global', 'organization')),
  provider_id uuid,
  google_customer_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text,
  deletion_time timestamptz
);
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));
CREATE UNIQUE INDEX organizations_domain_key ON organizations (lower(domain));

CREATE TABLE oauth2_providers (
  id uuid PRIMARY KEY,
  -- NULL for a system (global) provider.
  organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '[]',
  type text CHECK (type IN ('google', 'microsoft', 'github')),
  issuer text NOT NULL,
  client_id text NOT NULL,
  -- AES-256-GCM under a key derived from the server secret; never returned by the API.
  client_secret_ciphertext text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text
);
CREATE UNIQUE INDEX oauth2_providers_name_key
  ON oauth2_providers (COALESCE(organization_id, '00000000-0000-0000-0000-000000000000'::uuid), lower(name));
CREATE INDEX oauth2_providers_organization_idx ON oauth2_providers (organization_id);

-- An organization's login provider may not disappear while the organization uses it.
ALTER TABLE organizations ADD CONSTRAINT organizations_provider_fkey
  FOREIGN KEY (provider_id) REFERENCES oauth2_providers (id);

-- Global accounts: one per person, shared by every organization they belong to.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'pending', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_active timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- The API's "users": a global account's membership of one organization.
CREATE TABLE organization_users (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '[]',
  state text NOT NULL CHECK (state IN ('active', 'pending', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text,
  UNIQUE (organization_id, user_id),
  UNIQUE (organization_id, id)
);
CREATE INDEX organization_users_user_idx ON organization_users (user_id);

CREATE TABLE service_accounts (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text,
  UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX service_accounts_name_key ON service_accounts (organization_id, lower(name));

CREATE TABLE groups (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text,
  UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX groups_name_key ON groups (organization_id, lower(name));

CREATE TABLE group_roles (
  organization_id uuid NOT NULL,
  group_id uuid NOT NULL,
  role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, role_id),
  FOREIGN KEY (organization_id, group_id) REFERENCES groups (organization_id, id) ON DELETE CASCADE
);

CREATE TABLE group_users (
  organization_id uuid NOT NULL,
  group_id uuid NOT NULL,
  organization_user_id uuid NOT NULL,
  PRIMARY KEY (group_id, organization_user_id),
  FOREIGN KEY (organization_id, group_id) REFERENCES groups (organization_id, id) ON DELETE CASCADE,
  FOREIGN KEY (organization_id, organization_user_id) REFERENCES organization_users (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX group_users_member_idx ON group_users (organization_user_id);

CREATE TABLE group_service_accounts (
  organization_id uuid NOT NULL,
  group_id uuid NOT NULL,
  service_account_id uuid NOT NULL,
  PRIMARY KEY (group_id, service_account_id),
  FOREIGN KEY (organization_id, group_id) REFERENCES groups (organization_id, id) ON DELETE CASCADE,
  FOREIGN KEY (organization_id, service_account_id) REFERENCES service_accounts (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX group_service_accounts_member_idx ON group_service_accounts (service_account_id);

CREATE TABLE projects (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text,
  deletion_time timestamptz,
  UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX projects_name_key ON projects (organization_id, lower(name));

CREATE TABLE project_groups (
  organization_id uuid NOT NULL,
  project_id uuid NOT NULL,
  group_id uuid NOT NULL,
  PRIMARY KEY (project_id, group_id),
  FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE,
  FOREIGN KEY (organization_id, group_id) REFERENCES groups (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX project_groups_group_idx ON project_groups (group_id);

CREATE TABLE quota_kinds (
  kind text PRIMARY KEY,
  display_name text NOT NULL,
  description text NOT NULL,
  default_quantity integer NOT NULL CHECK (default_quantity >= 0)
);

CREATE TABLE quotas (
  organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  kind text NOT NULL REFERENCES quota_kinds (kind) ON DELETE CASCADE,
  quantity integer NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (organization_id, kind)
);

CREATE TABLE allocations (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  project_id uuid NOT NULL,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '[]',
  -- The resource that consumes the allocation (e.g. kind "kubernetescluster" and its id).
  resource_kind text NOT NULL,
  resource_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  modified_at timestamptz,
  modified_by text,
  FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id) ON DELETE CASCADE,
  UNIQUE (project_id, resource_kind, resource_id)
);
CREATE UNIQUE INDEX allocations_name_key ON allocations (project_id, lower(name));
CREATE INDEX allocations_organization_idx ON allocations (organization_id);

CREATE TABLE allocation_items (
  allocation_id uuid NOT NULL REFERENCES allocations (id) ON DELETE CASCADE,
  kind text NOT NULL REFERENCES quota_kinds (kind),
  committed integer NOT NULL CHECK (committed >= 0),
  reserved integer NOT NULL CHECK (reserved >= 0),
  PRIMARY KEY (allocation_id, kind)
);

-- Opaque bearer credentials. Only the keyed hash of a token is stored.
CREATE TABLE credentials (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('bootstrap', 'service_account')),
  token_hash text NOT NULL UNIQUE,
  organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
  service_account_id uuid UNIQUE REFERENCES service_accounts (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  CHECK ((kind = 'service_account') = (service_account_id IS NOT NULL AND organization_id IS NOT NULL))
);

INSERT INTO roles (id, name, description, protected, scopes) VALUES
  ('4fe59821-bc85-4d0e-a35b-f2535d1d5578', 'platform-administrator', 'Platform administrator', true, '{"global":{"identity:organizations":["create","read","update","delete"],"identity:oauth2providers":["create","read","update","delete"],"identity:roles":["create","read","update","delete"],"identity:serviceaccounts":["create","read","update","delete"],"identity:users":["create","read","update","delete"],"identity:groups":["create","read","update","delete"],"identity:projects":["create","read","update","delete"],"identity:quotas":["create","read","update","delete"],"identity:allocations":["create","read","update","delete"],"region:regions":["create","read","update","delete"],"region:flavors":["create","read","update","delete"],"region:images":["create","read","update","delete"],"region:externalnetworks":["create","read","update","delete"],"region:identities":["create","read","update","delete"],"region:networks":["create","read","update","delete"],"region:securitygroups":["create","read","update","delete"],"region:servers":["create","read","update","delete"],"kubernetes:regions":["create","read","update","delete"],"kubernetes:flavors":["create","read","update","delete"],"kubernetes:images":["create","read","update","delete"],"kubernetes:clustermanagers":["create","read","update","delete"],"kubernetes:clusters":["create","read","update","delete"],"kubernetes:virtualclusters":["create","read","update","delete"],"compute:regions":["create","read","update","delete"],"compute:flavors":["create","read","update","delete"],"compute:images":["create","read","update","delete"],"compute:clusters":["create","read","update","delete"],"application:applications":["create","read","update","delete"],"application:applicationsets":["create","read","update","delete"]}}'),
  ('703a9e3a-063b-4b7a-ab46-440d2087e7e1', 'infra-manager-service', 'Infrastructure manager service', true, '{"global":{"identity:allocations":["create","read","update","delete"],"region:identities":["create","read","delete"],"region:regions":["read"],"region:regions/detail":["read"],"region:flavors":["read"],"region:images":["read"],"region:externalnetworks":["read"],"region:networks":["create","read","delete"],"region:servers":["create","read","update","delete"],"region:securitygroups":["create","read","update","delete"]}}'),
  ('e3398ced-5989-4a6a-a5a7-abd164e81074', 'application-manager-service', 'Application manager service', true, '{"global":{"kubernetes:clusters":["read"]}}'),
  ('b510516f-d678-43c5-a78b-ce566aef1859', 'administrator', 'Organization administrator', false, '{"organization":{"identity:organizations":["read","update"],"identity:oauth2providers":["create","read","update","delete"],"identity:serviceaccounts":["create","read","update","delete"],"identity:users":["create","read","update","delete"],"identity:roles":["create","read","update","delete"],"identity:groups":["create","read","update","delete"],"identity:projects":["create","read","update","delete"],"identity:quotas":["read"],"region:regions":["read"],"kubernetes:regions":["read"],"kubernetes:flavors":["read"],"kubernetes:images":["read"],"kubernetes:clusters":["create","read","update","delete"],"kubernetes:virtualclusters":["create","read","update","delete"],"compute:regions":["read"],"compute:flavors":["read"],"compute:images":["read"],"compute:clusters":["create","read","update","delete"],"application:applications":["read"],"application:applicationsets":["create","read","update","delete"]}}'),
  ('c3bbb41c-9845-4800-a7d3-660ffbbb371f', 'user', 'Project user', false, '{"organization":{"identity:quotas":["read"],"region:regions":["read"],"kubernetes:regions":["read"],"kubernetes:flavors":["read"],"kubernetes:images":["read"],"compute:regions":["read"],"compute:flavors":["read"],"compute:images":["read"]},"project":{"identity:projects":["read"],"kubernetes:clusters":["create","read","update","delete"],"kubernetes:virtualclusters":["create","read","update","delete"],"compute:clusters":["create","read","update","delete"],"application:applications":["read"],"application:applicationsets":["create","read","update","delete"]}}'),
  ('7eb42771-3a0a-42d8-a021-ee812aeb826d', 'reader', 'Project reader', false, '{"organization":{"identity:quotas":["read"],"region:regions":["read"],"kubernetes:regions":["read"],"kubernetes:flavors":["read"],"kubernetes:images":["read"],"compute:regions":["read"],"compute:flavors":["read"],"compute:images":["read"]},"project":{"identity:projects":["read"],"kubernetes:clusters":["read"],"kubernetes:virtualclusters":["read"],"compute:clusters":["read"],"application:applications":["read"],"application:applicationsets":["read"]}}'),
  ('05a2baff-3116-4bdb-a587-1fd5b28d4be5', 'auditor', 'Organization auditor: read-only access to everything in the organization', false, '{"organization":{"identity:organizations":["read"],"identity:oauth2providers":["read"],"identity:serviceaccounts":["read"],"identity:users":["read"],"identity:roles":["read"],"identity:groups":["read"],"identity:projects":["read"],"identity:quotas":["read"],"region:regions":["read"],"kubernetes:regions":["read"],"kubernetes:flavors":["read"],"kubernetes:images":["read"],"kubernetes:clusters":["read"],"kubernetes:virtualclusters":["read"],"compute:regions":["read"],"compute:flavors":["read"],"compute:images":["read"],"compute:clusters":["read"],"application:applications":["read"],"application:applicationsets":["read"]}}');

INSERT INTO quota_kinds (kind, display_name, description, default_quantity) VALUES
  ('clusters', 'Clusters', 'All cluster types e.g. Kubernetes, compute, etc.', 5),
  ('servers', 'Servers', 'All physical and virtual machines.', 10),
  ('gpus', 'GPUs', 'General purpose GPUs for AI workloads.', 40);
