/**
 * Prometheus metrics (issue 11, part): requests, tokens by grant, failed authentications and
 * rate-limit refusals, served only with the configured token (or on their own port).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createOrganization, createProject } from './fixtures.ts';
import { freePort, suite, uniqueName } from './helpers.ts';
import { seedPgliteDataDir } from './support/databases.ts';
import { type Running, serve } from './support/serve.ts';
import { registerClient } from './support/world.ts';

const token = 'metrics-token-0123456789abcdef0123456789';

suite(
  'metrics',
  (ctx) => {
    it('counts requests, tokens issued by grant and failed authentications, behind the metrics token', async () => {
      const anon = ctx().anonymous;
      await ctx().admin.get('/api/v1/organizations');
      await anon.request('GET', '/api/v1/acl', undefined, { authorization: `Bearer ${'x'.repeat(40)}` });
      const system = await registerClient(ctx().admin, {
        redirectURIs: [],
        grantTypes: ['client_credentials'],
        roleID: '703a9e3a-063b-4b7a-ab46-440d2087e7e1',
      });
      const issued = await anon.request('POST', '/oauth2/v2/token', 'grant_type=client_credentials', {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${system.id}:${system.secret}`).toString('base64')}`,
      });
      assert.equal(issued.status, 200);
      assert.equal((await anon.get('/metrics')).status, 401, 'not without the token');
      const res = await anon.request('GET', '/metrics', undefined, { authorization: `Bearer ${token}` });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      assert.match(res.text, /tessera_http_request_duration_seconds_count\{route="\/api\/v1\/organizations",method="GET",status="200"\} [1-9]/);
      assert.match(res.text, /tessera_tokens_issued_total\{grant="client_credentials"\} 1/);
      assert.match(res.text, /tessera_authentication_failures_total\{reason="invalid"\} [1-9]/);
      assert.match(res.text, /tessera_process_resident_memory_bytes/);
      assert.ok(!res.text.includes(token) && !res.text.includes(system.secret!), 'nothing secret');
      assert.match(res.text, /^tessera_change_feed_up 1$/m);
      assert.match(res.text, /^tessera_db_pool_connections\{state="total"\} [1-9]/m);
      assert.match(res.text, /^tessera_db_pool_connections\{state="waiting"\} 0$/m);
      assert.match(res.text, /^tessera_cache_hit_ratio\{cache="credentials"\} 0\.\d+$/m, 'the admin was authenticated from the cache');
      // The lookup counters add what was counted since the last scrape: they match the caches' own counts.
      await ctx().admin.get('/api/v1/organizations');
      const again = await anon.request('GET', '/metrics', undefined, { authorization: `Bearer ${token}` });
      const { hits, misses } = ctx().built.core.caches.stats().credentials!;
      assert.match(again.text, new RegExp(`^tessera_cache_lookups_total\\{cache="credentials",result="hit"\\} ${hits}$`, 'm'));
      assert.match(again.text, new RegExp(`^tessera_cache_lookups_total\\{cache="credentials",result="miss"\\} ${misses}$`, 'm'));
    });

    it('counts every token the one issuer makes, whatever face asked: workload tokens and Docker Hub logins too', async () => {
      const count = async (grant: string) => {
        const text = (await ctx().anonymous.request('GET', '/metrics', undefined, { authorization: `Bearer ${token}` })).text;
        return Number(new RegExp(`tessera_tokens_issued_total\\{grant="${grant}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      };
      const name = uniqueName('acme');
      const org = await createOrganization(ctx().admin, name);
      const project = await createProject(ctx().admin, org);
      const [workload, login] = [await count('workload'), await count('dockerhub_login')];
      assert.equal((await ctx().admin.post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`, {})).status, 201);
      const oat = await ctx().admin.post(`/v2/orgs/${name}/access-tokens`, {
        label: 'ci',
        resources: [{ type: 'TYPE_REPO', path: `${name}/*`, scopes: ['scope-image-pull'] }],
      });
      assert.equal((await ctx().anonymous.post('/v2/auth/token', { identifier: name, secret: oat.body.token })).status, 200);
      assert.deepEqual([await count('workload'), await count('dockerhub_login')], [workload + 1, login + 1]);
    });
  },
  { TESSERA_METRICS_TOKEN: token },
);

suite('metrics, not configured', (ctx) => {
  it('serves no /metrics on the public port', async () => {
    assert.equal((await ctx().anonymous.request('GET', '/metrics', undefined, { authorization: `Bearer ${token}` })).status, 404);
  });
});

describe('metrics on a port of their own, of the server as `npm start` runs it', () => {
  let dir: string;
  let port: number;
  let server: Running;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
    await seedPgliteDataDir(dir, { migrated: true });
    port = await freePort();
    server = await serve({ TESSERA_DATA_DIR: dir, TESSERA_METRICS_PORT: String(port) }, { asNpmStart: true });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /metrics on TESSERA_METRICS_PORT, apart from the API', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /tessera_process_cpu_seconds_total/);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'not on the public port');
  });

  it("runs with V8's young generation bounded by npm start's flag (two semi-spaces of 8 MB)", async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const newSpace = Number(/tessera_nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)/.exec(text)?.[1]);
    assert.ok(newSpace > 0, 'the young generation is reported');
    // Without the flag, Node.js 20 has grown it to two 16 MB semi-spaces by the end of start-up.
    assert.ok(newSpace <= 2 * 8 * 1024 * 1024, `the young generation takes ${newSpace} bytes`);
  });
});
