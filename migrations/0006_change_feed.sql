-- The change feed that keeps every instance's in-process caches correct (docs/performance.md).
-- A change to a row that credentials, principals, ACLs or organization state are read from
-- names what it touched, as a tag: `org:<id>`, `user:<id>`, `session:<id>`, `client:<id>`,
-- `apitoken:<id>`, or `all`. Each tag is sent once per transaction with NOTIFY, which
-- PostgreSQL delivers to every listening instance only when (and if) the transaction commits,
-- and is also kept in the transaction-local setting `tessera.changes`, which the writing
-- instance reads before it commits so that its own caches are right before it answers.
-- Writes that no cached read depends on (last-use times, new sessions, new tokens) are left out.

CREATE FUNCTION tessera_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
  key text := changed ->> TG_ARGV[1];
  tag text := CASE WHEN TG_ARGV[0] = 'all' OR key IS NULL THEN 'all' ELSE TG_ARGV[0] || ':' || key END;
  seen text := coalesce(current_setting('tessera.changes', true), '');
BEGIN
  IF position(' ' || tag || ' ' IN seen || ' ') = 0 THEN
    PERFORM set_config('tessera.changes', seen || ' ' || tag, true);
    PERFORM pg_notify('tessera_changes', tag);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER organizations_changed AFTER UPDATE OR DELETE ON organizations
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'id');
CREATE TRIGGER organization_users_changed AFTER INSERT OR UPDATE OR DELETE ON organization_users
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER users_changed AFTER UPDATE OF email, state OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('user', 'id');
CREATE TRIGGER service_accounts_changed AFTER DELETE ON service_accounts
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER group_roles_changed AFTER INSERT OR UPDATE OR DELETE ON group_roles
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER group_users_changed AFTER INSERT OR UPDATE OR DELETE ON group_users
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER group_service_accounts_changed AFTER INSERT OR UPDATE OR DELETE ON group_service_accounts
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER project_groups_changed AFTER INSERT OR UPDATE OR DELETE ON project_groups
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER roles_changed AFTER UPDATE OR DELETE ON roles
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('all');
-- A bootstrap credential has no organization: its changes say `all`.
CREATE TRIGGER credentials_changed AFTER UPDATE OF kind, token_hash, organization_id, service_account_id, expires_at OR DELETE ON credentials
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER api_tokens_changed AFTER UPDATE OF organization_id, name, source_ips, expires_at, active, rate_limit_per_hour, token_hash,
    previous_token_hash, previous_valid_until OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('apitoken', 'id');
CREATE TRIGGER api_token_grants_changed AFTER INSERT OR UPDATE OR DELETE ON api_token_grants
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('apitoken', 'api_token_id');
CREATE TRIGGER api_token_policies_changed AFTER INSERT OR UPDATE OR DELETE ON api_token_policies
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER oauth_clients_changed AFTER UPDATE OR DELETE ON oauth_clients
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('client', 'id');
-- Verified access tokens are cached too: a signing key withdrawn or deleted ends them all.
CREATE TRIGGER signing_keys_changed AFTER UPDATE OR DELETE ON signing_keys
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('all');
CREATE TRIGGER sessions_changed AFTER UPDATE OF user_id, revoked_at, expires_at OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('session', 'id');
