import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notingTables } from '../src/core/changes.ts';
import { loadMigrations, migrate } from '../src/db/migrate.ts';
import { testBackends } from './helpers.ts';

for (const backend of testBackends()) {
  describe(`migrations [${backend.name}]`, () => {
    it('migrates an empty database to the expected schema, once', async () => {
      const db = await backend.open();
      try {
        const versions = loadMigrations().map((m) => m.version);
        assert.deepEqual(await migrate(db), versions);
        assert.deepEqual(await migrate(db), [], 'a second run applies nothing');
        const tables = await db.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
        );
        assert.deepEqual(
          tables.rows.map((r) => r.table_name),
          [
            'allocation_items',
            'allocations',
            'api_token_grants',
            'api_token_policies',
            'api_tokens',
            'audit_events',
            'authorization_codes',
            'browser_sessions',
            'credentials',
            'group_roles',
            'group_service_accounts',
            'group_users',
            'groups',
            'login_requests',
            'oauth2_providers',
            'oauth_clients',
            'oidc_claims',
            'organization_users',
            'organizations',
            'project_groups',
            'projects',
            'quota_kinds',
            'quotas',
            'rate_limit_counters',
            'refresh_tokens',
            'roles',
            'schema_migrations',
            'service_accounts',
            'sessions',
            'signing_keys',
            'signup_tokens',
            'trust_policies',
            'user_identities',
            'users',
          ],
        );
        const roles = await db.query<{ name: string; protected: boolean }>('SELECT name, protected FROM roles ORDER BY name');
        assert.deepEqual(roles.rows, [
          { name: 'administrator', protected: false },
          { name: 'application-manager-service', protected: true },
          { name: 'auditor', protected: false },
          { name: 'infra-manager-service', protected: true },
          { name: 'platform-administrator', protected: true },
          { name: 'reader', protected: false },
          { name: 'user', protected: false },
        ]);
        const auditor = await db.query<{ scopes: any }>(`SELECT scopes FROM roles WHERE name = 'auditor'`);
        for (const ops of Object.values<string[]>(auditor.rows[0].scopes.organization)) assert.deepEqual(ops, ['read']);
        const kinds = await db.query<{ kind: string; default_quantity: number }>('SELECT kind, default_quantity FROM quota_kinds ORDER BY kind');
        assert.deepEqual(kinds.rows, [
          { kind: 'clusters', default_quantity: 5 },
          { kind: 'gpus', default_quantity: 40 },
          { kind: 'servers', default_quantity: 10 },
        ]);
        // The database enforces cross-organization links, not only the handlers.
        const fks = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY' AND table_name = 'group_users'`,
        );
        assert.equal(fks.rows[0].n, 2);
        // The tables whose triggers feed the caches' change feed are the ones the app knows of.
        const noting = await db.query<{ table: string }>(
          `SELECT DISTINCT c.relname AS table FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE p.proname = 'tessera_notify_change' ORDER BY c.relname`,
        );
        assert.deepEqual(
          noting.rows.map((r) => r.table),
          [...notingTables],
        );
      } finally {
        await db.close();
      }
    });
  });
}
