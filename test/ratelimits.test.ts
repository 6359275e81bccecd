/**
 * Rate limits (issue 9): an hourly budget per credential, counted in the database (batched)
 * or in Redis, answered in each face's envelope and headers.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Counters, DatabaseCounters, RedisCounters } from '../src/core/ratelimits/counters.ts';
import type { Db } from '../src/db/db.ts';
import { credentialRateLimiter } from '../src/http/rate-limit.ts';
import { createOrganization, roleIds } from './fixtures.ts';
import { startTestApp, testBackends, uniqueName } from './helpers.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const quiet = { warn: () => undefined };

async function tokenIn(ctx: Awaited<ReturnType<typeof startTestApp>>, org: string) {
  const res = await ctx.admin.post(`/api/v1/organizations/${org}/apitokens`, {
    metadata: { name: uniqueName('t') },
    spec: { privileges: [{ roleID: roleIds.administrator }] },
  });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.metadata.id as string, token: res.body.status.token as string };
}

for (const backend of testBackends()) {
  describe(`rate limits, counted in the database [${backend.name}]`, () => {
    let db: Awaited<ReturnType<typeof backend.openMigrated>>;
    let a: Awaited<ReturnType<typeof startTestApp>>;
    let b: Awaited<ReturnType<typeof startTestApp>>;
    /** An instance without limits, for the tests' own setup (the bootstrap credential has a budget too). */
    let setup: Awaited<ReturnType<typeof startTestApp>>;
    const counters: DatabaseCounters[] = [];
    const limiter = () => {
      const c = new DatabaseCounters(db, quiet, 60_000); // synced by the test, not by the clock
      counters.push(c);
      return credentialRateLimiter(c, { perHour: 3, failuresPerHour: 2 });
    };
    before(async () => {
      db = await backend.openMigrated();
      setup = await startTestApp(backend, {}, { db });
      a = await startTestApp(backend, {}, { db, app: { limiter: limiter() } });
      b = await startTestApp(backend, {}, { db, app: { limiter: limiter() } });
    });
    after(async () => {
      for (const c of counters) await c.close();
      await setup?.close();
      await b?.close();
      await a?.close();
      await db?.close();
    });

    it('gives each token its own budget, with the IETF headers, and 429 rate_limited when it is spent', async () => {
      const org = await createOrganization(setup.admin);
      const [one, two] = [await tokenIn(setup, org), await tokenIn(setup, org)];
      const groups = (token: string) => a.admin.as(token).get(`/api/v1/organizations/${org}/groups`);
      for (const left of [2, 1, 0]) {
        const res = await groups(one.token);
        assert.equal(res.status, 200);
        assert.equal(res.headers['ratelimit-policy'], '"hourly";q=3;w=3600');
        assert.match(String(res.headers.ratelimit), new RegExp(`^"hourly";r=${left};t=\\d+$`));
      }
      const refused = await groups(one.token);
      assert.deepEqual(
        [refused.status, refused.body],
        [429, { error: 'rate_limited', error_description: 'the request budget of 3 per hour is used up; retry later' }],
      );
      assert.ok(Number(refused.headers['retry-after']) > 0 && Number(refused.headers['retry-after']) <= 3600);
      assert.match(await a.built.metrics.render(), /^tessera_rate_limit_refusals_total\{face="native"\} 1$/m, 'counted in /metrics');
      assert.equal((await groups(two.token)).status, 200, 'another token is not affected');
    });

    it('answers in Docker’s and Mist’s words and headers', async () => {
      const name = uniqueName('acme');
      const org = await createOrganization(setup.admin, name);
      const t = await tokenIn(setup, org);
      const docker = (token: string) => a.admin.as(token).get(`/v2/orgs/${name}/access-tokens`);
      const first = await docker(t.token);
      assert.deepEqual([first.headers['x-ratelimit-limit'], first.headers['x-ratelimit-remaining']], ['3', '2']);
      assert.ok(Number(first.headers['x-ratelimit-reset']) > Date.now() / 1000);
      await docker(t.token);
      await docker(t.token);
      const refused = await docker(t.token);
      assert.deepEqual([refused.status, refused.body], [429, { detail: 'Rate limit exceeded', error: false }]);
      assert.ok(Number(refused.headers['x-retry-after']) > Date.now() / 1000, 'a unix time');
      const mist = await a.anonymous.request('GET', `/api/v1/orgs/${org}/apitokens`, undefined, { authorization: `Token ${t.token}` });
      assert.deepEqual(
        [mist.status, mist.body],
        [429, { detail: 'Too Many Request. The API Token used for the request reached the 3 API Calls per hour threshold' }],
      );
    });

    it('takes the organization policy’s budget for its tokens, and a token’s own over both', async () => {
      const org = await createOrganization(setup.admin);
      await setup.admin.put(`/api/v1/organizations/${org}/apitokenpolicy`, {
        maxLifetimeSeconds: null,
        requireExpiry: false,
        maxTokens: 10,
        rateLimitPerHour: 1,
      });
      const t = await tokenIn(setup, org);
      assert.equal((await a.admin.as(t.token).get('/api/v1/acl')).status, 200);
      assert.equal((await a.admin.as(t.token).get('/api/v1/acl')).status, 429);
      const own = await setup.admin.post(`/api/v1/organizations/${org}/apitokens`, {
        metadata: { name: uniqueName('t') },
        spec: { privileges: [], rateLimitPerHour: 5 },
      });
      assert.equal(own.body.spec.rateLimitPerHour, 5);
      for (let i = 0; i < 5; i++) assert.equal((await a.admin.as(own.body.status.token).get('/api/v1/acl')).status, 200);
      const refused = await a.admin.as(own.body.status.token).get('/api/v1/acl');
      assert.deepEqual([refused.status, refused.headers['ratelimit-policy']], [429, '"hourly";q=5;w=3600'], 'a token’s own budget over its policy’s');
    });

    it('limits failed authentications per client address', async () => {
      const bad = () => b.anonymous.request('GET', '/api/v1/acl', undefined, { authorization: `Bearer ${'x'.repeat(40)}` });
      assert.equal((await bad()).status, 401);
      assert.equal((await bad()).status, 401);
      assert.equal((await bad()).status, 429);
    });

    it('budgets the token endpoint per client, and failed client authentications per address, with audit events', async () => {
      const c = await startTestApp(backend, {}, { db, app: { limiter: limiter() } });
      try {
        const client = await setup.admin.post('/api/v1/oauth2clients', {
          metadata: { name: uniqueName('sys') },
          spec: { redirectURIs: [], grantTypes: ['client_credentials'], roleID: '703a9e3a-063b-4b7a-ab46-440d2087e7e1' },
        });
        const token = (secret: string) =>
          c.anonymous.request('POST', '/oauth2/v2/token', 'grant_type=client_credentials', {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${client.body.status.clientID}:${secret}`).toString('base64')}`,
          });
        for (let i = 0; i < 3; i++) assert.equal((await token(client.body.status.clientSecret)).status, 200);
        const spent = await token(client.body.status.clientSecret);
        assert.deepEqual([spent.status, spent.body.error], [429, 'temporarily_unavailable']);
        assert.ok(Number(spent.headers['retry-after']) > 0);
        assert.equal((await token('wrong')).status, 401);
        assert.equal((await token('wrong')).status, 401);
        assert.equal((await token('wrong')).status, 429, 'guessing secrets is bounded per address');
        const audited = (await setup.admin.get('/api/v1/auditlogs?action=authentication.failed&limit=1000')).body;
        assert.ok(audited.some((e: any) => e.detail === 'client authentication failed'));
      } finally {
        await c.close();
      }
    });

    it('shares one budget between two instances once they sync, overshooting by at most one sync interval', async () => {
      const org = await createOrganization(setup.admin);
      const t = await tokenIn(setup, org);
      const call = (ctx: typeof a) => ctx.admin.as(t.token).get('/api/v1/acl');
      assert.equal((await call(a)).status, 200);
      assert.equal((await call(a)).status, 200);
      assert.equal((await call(b)).status, 200, 'B has not heard of A’s requests yet: the documented overshoot');
      for (const c of counters) await c.sync();
      for (const c of counters) await c.sync(); // both learn the shared total (3)
      assert.equal((await call(a)).status, 429);
      assert.equal((await call(b)).status, 429, 'one budget across instances');
    });
  });
}

/** Redis runs on every machine of this project (CI starts it); elsewhere the suite says why it is skipped. */
const redisAnswers = await new Promise<boolean>((resolve) => {
  const socket = connect(6379, '127.0.0.1', () => {
    socket.end();
    resolve(true);
  });
  socket.on('error', () => resolve(false));
});

describe('rate-limit windows', () => {
  it('starts a budget afresh when the hour turns', async () => {
    const db = await testBackends()[0]!.open();
    const counters = new DatabaseCounters(db, quiet, 60_000);
    let now = Date.UTC(2026, 11, 1, 10, 59, 0);
    const limiter = credentialRateLimiter(counters, { perHour: 2, failuresPerHour: 1 }, () => now);
    const principal = { kind: 'service_account' as const, subject: 's', serviceAccountId: 's', organizationId: 'o' };
    const ask = () => limiter.check({ face: 'native', route: '/x', ip: '127.0.0.1', principal });
    assert.deepEqual((await ask()).usage, { limit: 2, remaining: 1, resetAt: Date.UTC(2026, 11, 1, 11) / 1000 });
    await ask();
    const refused = await ask();
    assert.deepEqual([refused.allowed, refused.allowed ? 0 : refused.retryAfterSeconds], [false, 60]);
    now = Date.UTC(2026, 11, 1, 11, 0, 1);
    const fresh = await ask();
    assert.deepEqual([fresh.allowed, fresh.usage?.remaining, fresh.usage?.resetAt], [true, 1, Date.UTC(2026, 11, 1, 12) / 1000]);
    await counters.close();
    await db.close();
  });
});

describe('rate limits, counted in Redis', { skip: !redisAnswers && !process.env.CI && 'no Redis at 127.0.0.1:6379' }, () => {
  let proxy: TcpProxy;
  let counters: Counters;
  let ctx: Awaited<ReturnType<typeof startTestApp>>;
  let setup: Awaited<ReturnType<typeof startTestApp>>;
  let db: Db;
  const warnings: string[] = [];
  before(async () => {
    const backend = testBackends()[0]!;
    db = await backend.openMigrated();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    counters = await RedisCounters.connect(`redis://${proxy.address}`, {
      warn: (_o, msg) => {
        warnings.push(msg);
      },
    });
    setup = await startTestApp(backend, {}, { db });
    ctx = await startTestApp(backend, {}, { db, app: { limiter: credentialRateLimiter(counters, { perHour: 2, failuresPerHour: 100 }) } });
  });
  after(async () => {
    await ctx?.close();
    await setup?.close();
    await db?.close();
    await counters?.close();
    await proxy?.close();
  });

  it('counts atomically in Redis, and keeps answering (per instance) when Redis goes away', async () => {
    const org = await createOrganization(setup.admin);
    const t = await tokenIn(setup, org);
    const call = () => ctx.admin.as(t.token).get('/api/v1/acl');
    assert.deepEqual([(await call()).status, (await call()).status, (await call()).status], [200, 200, 429]);
    const other = await tokenIn(setup, org);
    proxy.mode('refuse');
    proxy.dropAll();
    const during = await ctx.admin.as(other.token).get('/api/v1/acl');
    assert.equal(during.status, 200, 'no 5xx without Redis: counted locally');
    assert.ok(warnings.some((w) => w.startsWith('Redis does not answer')));
    proxy.mode('forward');
  });
});
