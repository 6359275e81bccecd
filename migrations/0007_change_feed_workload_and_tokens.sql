-- What minting a workload token reads is cached too (docs/performance.md): whether its project
-- is live, and the custom claims of the project and its organization. Marking a project for
-- deletion, deleting it, and any change of custom claims name the organization (`org:<id>`).
CREATE TRIGGER projects_changed AFTER UPDATE OF organization_id, deletion_time OR DELETE ON projects
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');
CREATE TRIGGER oidc_claims_changed AFTER INSERT OR UPDATE OR DELETE ON oidc_claims
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('org', 'organization_id');

-- Introspecting an API token answers from the cached row that authentication reads, which
-- now holds the token's resources too: a change of them is a change of the token.
DROP TRIGGER api_tokens_changed ON api_tokens;
CREATE TRIGGER api_tokens_changed AFTER UPDATE OF organization_id, name, resources, source_ips, expires_at, active, rate_limit_per_hour,
    token_hash, previous_token_hash, previous_valid_until OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION tessera_notify_change('apitoken', 'id');
