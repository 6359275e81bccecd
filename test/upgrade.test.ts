/**
 * Upgrades: a database populated at the previous schema version, migrated to the latest,
 * keeps every row and serves them through the API. Every new migration renames the one
 * populated fixture to the version before it and adds rows for what that version introduced.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadMigrations, migrate } from '../src/db/migrate.ts';
import { startTestApp, testBackends } from './helpers.ts';

const migrations = loadMigrations();
const previous = migrations.slice(0, -1);
const previousVersion = previous.at(-1)?.version;
const fixture = new URL(`./fixtures/populated-${previousVersion}.sql`, import.meta.url);
const serviceAccountToken = 'tsr_sat_GVdmWafjhDi1MHFcNK06oCWANIarJxJyZhFJmYRzWpa1Hfbdt';
const org = '11111111-1111-4111-8111-111111111111';

for (const backend of testBackends()) {
  describe(`upgrade from ${previousVersion} [${backend.name}]`, () => {
    it('migrates a populated database of the previous version to the latest, and serves its data', async () => {
      const db = await backend.open();
      const ctx = await (async () => {
        assert.deepEqual(
          await migrate(db, previous),
          previous.map((m) => m.version),
        );
        await db.exec(readFileSync(fixture, 'utf8'));
        assert.deepEqual(
          await migrate(db),
          migrations.slice(-1).map((m) => m.version),
        );
        return startTestApp(backend, {}, { db });
      })().catch(async (error) => {
        await db.close(); // a failed setup must not keep the test process alive
        throw error;
      });
      try {
        const sa = ctx.admin.as(serviceAccountToken);
        const orgs = await sa.get('/api/v1/organizations');
        assert.deepEqual(
          orgs.body.map((o: any) => [o.metadata.name, o.metadata.description, o.metadata.tags]),
          [['acme', 'Acme Corp', [{ name: 'tier', value: 'gold' }]]],
        );
        const users = await sa.get(`/api/v1/organizations/${org}/users`);
        assert.deepEqual(
          users.body.map((u: any) => [u.spec.subject, u.spec.state, u.spec.groupIDs, u.status.lastActive]),
          [['jane@acme.example', 'active', ['66666666-6666-4666-8666-666666666666'], '2026-01-02T03:04:05.000Z']],
        );
        const projects = await sa.get(`/api/v1/organizations/${org}/projects`);
        assert.deepEqual(
          projects.body.map((p: any) => [p.metadata.name, p.spec.groupIDs]),
          [['web', ['66666666-6666-4666-8666-666666666666']]],
        );
        const quotas = await sa.get(`/api/v1/organizations/${org}/quotas`);
        assert.deepEqual(
          quotas.body.quotas.find((q: any) => q.kind === 'servers'),
          {
            kind: 'servers',
            quantity: 20,
            used: 5,
            free: 15,
            committed: 3,
            reserved: 2,
            displayName: 'Servers',
            description: 'All physical and virtual machines.',
            default: 10,
          },
        );
        const acl = await sa.get(`/api/v1/organizations/${org}/acl`);
        assert.equal(acl.body.organization.id, org);
        assert.deepEqual(
          acl.body.organization.endpoints.find((e: any) => e.name === 'identity:groups'),
          {
            name: 'identity:groups',
            operations: ['create', 'read', 'update', 'delete'],
          },
        );
        // Clients registered before 0003 keep ES256 ID tokens (new ones default to RS256).
        const legacy = await ctx.admin.get('/api/v1/oauth2clients/99999999-9999-4999-8999-999999999999');
        assert.deepEqual([legacy.body.spec.public, legacy.body.spec.idTokenSignedResponseAlg], [true, 'ES256']);
        // API tokens and audit events of 0004 are served after later migrations.
        const tokens = await ctx.admin.get(`/api/v1/organizations/${org}/apitokens`);
        assert.deepEqual(
          tokens.body.map((t: any) => [t.metadata.name, t.status.state]),
          [['deploy', 'active']],
        );
        const audit = await ctx.admin.get(`/api/v1/organizations/${org}/auditlogs?action=apitoken.created`);
        assert.deepEqual(
          audit.body.map((e: any) => e.target.id),
          ['aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'],
        );
        // Workload-token claims and trust policies of 0005 too.
        const claims = await ctx.admin.get(`/api/v1/organizations/${org}/oidcclaims`);
        assert.deepEqual([claims.body.audience, claims.body.ttl], [['https://deploy.acme.example'], '10m0s']);
        // Minting reads them (cached), and a change of them is seen at once (0007's triggers).
        const mint = () => sa.post(`/api/v1/organizations/${org}/projects/77777777-7777-4777-8777-777777777777/workloadtokens`, {});
        assert.deepEqual((await mint()).body.audience, ['https://deploy.acme.example']);
        await ctx.admin.request('PATCH', `/api/v1/organizations/${org}/oidcclaims`, { audience: ['https://new.acme.example'] });
        assert.deepEqual((await mint()).body.audience, ['https://new.acme.example']);
        const policies = await ctx.admin.get(`/api/v1/organizations/${org}/serviceaccounts/55555555-5555-4555-8555-555555555555/trustpolicies`);
        assert.deepEqual(
          policies.body.map((p: any) => [p.id, p.issuer, p.subjectPattern]),
          [['cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'https://ci.acme.example', 'repo:acme/*']],
        );
        const providers = await sa.get('/api/v1/oauth2providers');
        assert.deepEqual(
          providers.body.map((p: any) => [p.metadata.name, p.spec.type]),
          [['google', 'google']],
        );
      } finally {
        await ctx.close();
        await db.close();
      }
    });
  });
}
