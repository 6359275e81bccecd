/**
 * The in-process caches and their change feed: what one instance changes, another that has
 * it cached stops serving within a second (on PostgreSQL the instances have pools of their
 * own, so the news can only come through LISTEN/NOTIFY); while the feed is down the caches are
 * bypassed; and the caches' own rules.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { decodeJwt } from 'jose';
import pg from 'pg';
import type { Db } from '../src/db/db.ts';
import { stillListening } from '../src/db/postgres.ts';
import { Caches } from '../src/kernel/cache.ts';
import { createGroup, createOrganization, createProject, createServiceAccount, roleIds, serviceAccountWithRole, userWithRole } from './fixtures.ts';
import { type Backend, startTestApp, testBackends, uniqueName } from './helpers.ts';
import { freshPostgres } from './support/databases.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { registerClient } from './support/world.ts';

type Instance = Awaited<ReturnType<typeof startTestApp>>;

/** How long the news of a change may take to reach another instance (the issue's bound). */
const bound = 1000;

/** Polls `check` until it holds; fails if it does not within `ms`. */
async function within(ms: number, what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not seen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const hits = (instance: Instance, cache: string) => instance.built.core.caches.stats()[cache]?.hits ?? 0;

/**
 * Reads at B until a read is served from B's cache. (A read is not stored when news of an
 * earlier change, the setup's, arrives while it runs; so the first few may all be misses.)
 */
async function cachedAt(b: Instance, cache: string, read: () => Promise<{ status: number }>, status = 200): Promise<void> {
  assert.equal((await read()).status, status);
  await within(bound, `a read served from B's ${cache} cache`, async () => {
    const before = hits(b, cache);
    assert.equal((await read()).status, status);
    return hits(b, cache) > before;
  });
}

for (const backend of testBackends()) {
  describe(`caches across two instances [${backend.name}]`, () => {
    let a: Instance;
    let b: Instance;
    let dbA: Db;
    let dbB: Db;

    before(async () => {
      if (backend.name === 'postgres') {
        const shared = await freshPostgres(process.env.TESSERA_TEST_DATABASE_URL!, { migrated: true });
        dbA = shared;
        dbB = await shared.openAnother();
      } else {
        // One embedded database per process: both instances share it, and its LISTEN.
        dbA = dbB = await backend.openMigrated();
      }
      a = await startTestApp(backend, {}, { db: dbA });
      b = await startTestApp(backend, {}, { db: dbB });
    });
    after(async () => {
      await b?.close();
      await a?.close();
      if (dbB !== dbA) await dbB?.close();
      await dbA?.close();
    });

    it('stops honouring a service-account token rotated at the other instance', async () => {
      const org = await createOrganization(a.admin);
      const sa = await createServiceAccount(a.admin, org);
      const acl = () => b.admin.as(sa.token).get(`/api/v1/organizations/${org}/acl`);
      await cachedAt(b, 'credentials', acl);
      const rotated = await a.admin.post(`/api/v1/organizations/${org}/serviceaccounts/${sa.id}/rotate`);
      assert.equal(rotated.status, 200, rotated.text);
      await within(bound, 'the old token refused at B', async () => (await acl()).status === 401);
      assert.equal((await b.admin.as(rotated.body.status.accessToken).get(`/api/v1/organizations/${org}/acl`)).status, 200);
    });

    it('stops honouring an API token rotated, then deactivated, at the other instance', async () => {
      const org = await createOrganization(a.admin);
      const base = `/api/v1/organizations/${org}/apitokens`;
      const created = await a.admin.post(base, { metadata: { name: uniqueName('t') }, spec: { privileges: [{ roleID: roleIds.auditor }] } });
      const aclWith = (secret: string) => () => b.anonymous.request('GET', `/api/v1/organizations/${org}/acl`, undefined, { authorization: `Token ${secret}` });
      await cachedAt(b, 'api_tokens', aclWith(created.body.status.token));
      const rotated = await a.admin.post(`${base}/${created.body.metadata.id}/rotate`, {});
      await within(bound, 'the rotated-out secret refused at B', async () => (await aclWith(created.body.status.token)()).status === 401);
      await cachedAt(b, 'api_tokens', aclWith(rotated.body.status.token));
      const current = (await a.admin.get(`${base}/${created.body.metadata.id}`)).body;
      assert.equal((await a.admin.put(`${base}/${created.body.metadata.id}`, { ...current, spec: { ...current.spec, active: false } })).status, 200);
      await within(bound, 'the deactivated token refused at B', async () => (await aclWith(rotated.body.status.token)()).status === 401);
    });

    it('answers introspection of an API token with what the other instance changed of it', async () => {
      const org = await createOrganization(a.admin);
      const base = `/api/v1/organizations/${org}/apitokens`;
      const resources = [{ type: 'TYPE_ORG', path: 'acme', scopes: ['scope-member-read'] }];
      const created = await a.admin.post(base, { metadata: { name: uniqueName('t') }, spec: { privileges: [{ roleID: roleIds.auditor }], resources } });
      const client = await registerClient(a.admin);
      const introspect = () =>
        b.anonymous.request('POST', '/oauth2/v2/introspect', `token=${created.body.status.token}`, {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        });
      await cachedAt(b, 'api_tokens', introspect);
      assert.deepEqual((await introspect()).body.resources, resources);
      const current = (await a.admin.get(`${base}/${created.body.metadata.id}`)).body;
      const changed = [{ type: 'TYPE_ORG', path: 'acme', scopes: ['scope-member-write'] }];
      const put = await a.admin.put(`${base}/${created.body.metadata.id}`, {
        ...current,
        metadata: { ...current.metadata, name: 'renamed' },
        spec: { ...current.spec, resources: changed },
      });
      assert.equal(put.status, 200, put.text);
      await within(bound, 'the new name and resources at B', async () => {
        const { name, resources: seen } = (await introspect()).body;
        return name === 'renamed' && isDeepStrictEqual(seen, changed);
      });
      // A statement that changes the resources alone is a change of the token too (the trigger names the column).
      const alone = [{ type: 'TYPE_ORG', path: 'acme', scopes: [] }];
      await dbA.query('UPDATE api_tokens SET resources = $2::jsonb WHERE id = $1', [created.body.metadata.id, JSON.stringify(alone)]);
      await within(bound, 'resources changed alone, at B', async () => isDeepStrictEqual((await introspect()).body.resources, alone));
    });

    it('stops granting a member suspended at the other instance', async () => {
      const org = await createOrganization(a.admin);
      const member = await userWithRole(a, org, 'reader');
      const quotas = () => b.admin.as(member.client.token).get(`/api/v1/organizations/${org}/quotas`);
      await cachedAt(b, 'acls', quotas);
      const membership = (await a.admin.get(`/api/v1/organizations/${org}/users/${member.membershipId}`)).body;
      const suspended = await a.admin.put(`/api/v1/organizations/${org}/users/${member.membershipId}`, {
        metadata: membership.metadata,
        spec: { ...membership.spec, state: 'suspended' },
      });
      assert.equal(suspended.status, 200, suspended.text);
      await within(bound, 'the suspended member refused at B', async () => (await quotas()).status === 403);
    });

    it('applies a role change made at the other instance', async () => {
      const org = await createOrganization(a.admin);
      const sa = await createServiceAccount(a.admin, org);
      const group = await createGroup(a.admin, org, { roleIDs: [roleIds.administrator], serviceAccountIDs: [sa.id] });
      const groupsGrant = async () => {
        const acl = await b.admin.as(sa.token).get(`/api/v1/organizations/${org}/acl`);
        return acl.body.organization?.endpoints?.some((e: { name: string }) => e.name === 'identity:groups') === true;
      };
      await cachedAt(b, 'acls', async () => ({ status: (await groupsGrant()) ? 200 : 403 }));
      const current = (await a.admin.get(`/api/v1/organizations/${org}/groups/${group}`)).body;
      const changed = await a.admin.put(`/api/v1/organizations/${org}/groups/${group}`, {
        metadata: current.metadata,
        spec: { ...current.spec, roleIDs: [roleIds.reader] },
      });
      assert.equal(changed.status, 200, changed.text);
      await within(bound, 'the administrator grants gone at B', async () => !(await groupsGrant()));
    });

    it('tells the writer what a write outside a transaction changed, before the write returns', async () => {
      const org = await createOrganization(a.admin);
      const seen: string[][] = [];
      const stop = dbA.watchCommits((changes) => seen.push(changes));
      // The writer says the statement notes changes; the Db reads no SQL to find out.
      await dbA.query('UPDATE organizations SET description = description WHERE id = $1', [org], { notes: true });
      assert.ok(
        seen.some((changes) => changes.includes(`org:${org}`)),
        JSON.stringify(seen),
      );
      seen.length = 0;
      // A write in a WITH part too.
      await dbA.query('WITH touched AS (UPDATE organizations SET description = description WHERE id = $1 RETURNING id) SELECT id FROM touched', [org], {
        notes: true,
      });
      stop();
      assert.ok(
        seen.some((changes) => changes.includes(`org:${org}`)),
        JSON.stringify(seen),
      );
    });

    it('mints workload tokens with claims changed at the other instance, and none in a project deleted there', async () => {
      const org = await createOrganization(a.admin);
      const project = await createProject(a.admin, org);
      const minter = await serviceAccountWithRole(a, org, 'administrator');
      const mint = () => b.admin.as(minter.token).post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`, {});
      const audience = async () => decodeJwt((await mint()).body.token).aud;
      await cachedAt(b, 'workload_claims', mint, 201);
      assert.equal(await audience(), org);
      const claims = await a.admin.request('PATCH', `/api/v1/organizations/${org}/oidcclaims`, { audience: ['changed-at-a'] });
      assert.equal(claims.status, 200, claims.text);
      await within(bound, "the organization's new audience at B", async () => (await audience()) === 'changed-at-a');
      await cachedAt(b, 'workload_claims', mint, 201);
      assert.equal((await a.admin.delete(`/api/v1/organizations/${org}/projects/${project}`)).status, 202);
      await within(bound, 'minting refused at B', async () => (await mint()).status === 409);
    });

    it('stops exchanging the workload tokens of an organization deleted at the other instance', async () => {
      const issuing = await createOrganization(a.admin);
      const project = await createProject(a.admin, issuing);
      const minted = await a.admin.post(`/api/v1/organizations/${issuing}/projects/${project}/workloadtokens`, {});
      const trusting = await createOrganization(a.admin);
      const deployer = await serviceAccountWithRole(a, trusting, 'auditor');
      const policy = { issuer: `${a.config.issuer}/org/${issuing}`, audiences: [issuing], subjectPattern: '*' };
      assert.equal((await a.admin.post(`/api/v1/organizations/${trusting}/serviceaccounts/${deployer.id}/trustpolicies`, policy)).status, 201);
      const form = new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: minted.body.token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      }).toString();
      const exchange = () => b.anonymous.request('POST', '/oauth2/v2/token', form, { 'content-type': 'application/x-www-form-urlencoded' });
      await cachedAt(b, 'organizations', exchange);
      assert.equal((await a.admin.delete(`/api/v1/organizations/${issuing}`)).status, 202);
      await within(bound, 'the exchange refused at B', async () => (await exchange()).status === 400);
    });

    it('stops honouring the tokens of an organization deleted at the other instance', async () => {
      const org = await createOrganization(a.admin);
      const sa = await createServiceAccount(a.admin, org);
      const acl = () => b.admin.as(sa.token).get(`/api/v1/organizations/${org}/acl`);
      await cachedAt(b, 'credentials', acl);
      assert.equal((await a.admin.delete(`/api/v1/organizations/${org}`)).status, 202);
      await within(bound, 'the token refused at B', async () => (await acl()).status === 401);
    });
  });
}

const url = process.env.TESSERA_TEST_DATABASE_URL;

describe('caches while the change feed is down [postgres]', { skip: !url && 'needs PostgreSQL (TESSERA_TEST_DATABASE_URL)' }, () => {
  let proxy: TcpProxy;
  let a: Instance;
  let b: Instance;
  let dbA: Db;
  let dbB: Db;
  const backend: Backend = { name: 'postgres', open: async () => dbA, openMigrated: async () => dbA };

  before(async () => {
    const target = new URL(url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const shared = await freshPostgres(url!, { migrated: true });
    dbA = shared;
    dbB = await shared.openAnother(proxy.address); // B reaches the database only through the proxy
    a = await startTestApp(backend, {}, { db: dbA });
    b = await startTestApp(backend, {}, { db: dbB });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await dbB?.close();
    await dbA?.close();
    await proxy?.close();
  });

  // A pooler in transaction mode, or one that resets sessions (DISCARD ALL), leaves a feed
  // connection that answers but hears nothing: the heartbeat asks whether its session listens.
  it('takes a feed whose session no longer listens for lost, though its connection answers', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      assert.equal(await stillListening(client, 'tessera_changes'), false);
      await client.query('LISTEN tessera_changes');
      assert.equal(await stillListening(client, 'tessera_changes'), true);
      assert.equal(await stillListening(client, 'another_channel'), false);
      await client.query('DISCARD ALL');
      assert.equal(await stillListening(client, 'tessera_changes'), false);
    } finally {
      await client.end();
    }
  });

  it('bypasses the caches, so changes are seen at once, and caches again once the feed is back', async () => {
    const org = await createOrganization(a.admin);
    const sa = await createServiceAccount(a.admin, org);
    const aclWith = (token: string) => () => b.admin.as(token).get(`/api/v1/organizations/${org}/acl`);
    await cachedAt(b, 'credentials', aclWith(sa.token));
    assert.match(await b.built.metrics.render(), /^tessera_change_feed_up 1$/m);
    // Connections for B to go on with (its pool cannot open new ones while the proxy refuses).
    await Promise.all(Array.from({ length: 4 }, () => dbB.query('SELECT pg_sleep(0.05)')));

    // B's open connections go on working; its feed's connection is ended and cannot come back.
    proxy.mode('refuseNew');
    await a.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tessera-change-feed' AND datname = current_database()`);
    await within(bound, 'B noticing its feed is down', () => !b.built.core.caches.changeFeedUp);
    const metrics = await b.built.metrics.render();
    assert.match(metrics, /^tessera_change_feed_up 0$/m);
    assert.match(metrics, /^tessera_cache_entries\{cache="credentials"\} 0$/m, 'the caches were emptied');

    const bypassed = b.built.core.caches.stats().credentials!.bypassed;
    const rotated = await a.admin.post(`/api/v1/organizations/${org}/serviceaccounts/${sa.id}/rotate`);
    const refused = await aclWith(sa.token)();
    assert.equal(refused.status, 401, refused.text);
    assert.equal((await aclWith(rotated.body.status.accessToken)()).status, 200);
    assert.ok(b.built.core.caches.stats().credentials!.bypassed > bypassed, 'read from the database, not a cache');

    proxy.mode('forward');
    await within(5000, 'B following the feed again', () => b.built.core.caches.changeFeedUp);
    await cachedAt(b, 'credentials', aclWith(rotated.body.status.accessToken));
    const again = await a.admin.post(`/api/v1/organizations/${org}/serviceaccounts/${sa.id}/rotate`);
    assert.equal(again.status, 200);
    await within(bound, 'a rotation seen through the restored feed', async () => (await aclWith(rotated.body.status.accessToken)()).status === 401);
  });
});

describe('in-process caches', () => {
  const load = (value: string, tags: string[]) => async () => ({ value, tags });

  it('serves nothing, and stores nothing, until the change feed is up, and starts empty when it comes back', async () => {
    const caches = new Caches({ maxEntries: 10, ttlMs: 60_000 });
    const cache = caches.cache<string>('c');
    assert.equal(await cache.get('k', load('v1', ['org:1'])), 'v1');
    assert.equal(await cache.get('k', load('v2', ['org:1'])), 'v2', 'bypassed');
    caches.setLive(true);
    await cache.get('k', load('v3', ['org:1']));
    assert.equal(await cache.get('k', load('v4', ['org:1'])), 'v3', 'served from the cache');
    caches.setLive(false);
    assert.equal(await cache.get('k', load('v5', ['org:1'])), 'v5');
    caches.setLive(true);
    assert.equal(await cache.get('k', load('v6', ['org:1'])), 'v6', 'emptied while the feed was down');
    assert.deepEqual(cache.stats(), { hits: 1, misses: 2, bypassed: 3, size: 1 });
  });

  it('drops entries by tag, everything on `all`, and never stores not-found', async () => {
    const caches = new Caches({ maxEntries: 10, ttlMs: 60_000 });
    caches.setLive(true);
    const cache = caches.cache<string>('c');
    await cache.get('a', load('a1', ['org:1', 'user:9']));
    await cache.get('b', load('b1', ['org:2']));
    caches.invalidate(['user:9']);
    assert.equal(await cache.get('a', load('a2', ['org:1'])), 'a2');
    assert.equal(await cache.get('b', load('b2', ['org:2'])), 'b1', 'other tags untouched');
    caches.invalidate(['all']);
    assert.equal(await cache.get('b', load('b3', ['org:2'])), 'b3');
    assert.equal(await cache.get('none', async () => undefined), undefined);
    assert.equal(cache.stats().size, 1, 'b3 only: `all` dropped a2');
  });

  it('does not store a read that overlapped an invalidation of its tags', async () => {
    const caches = new Caches({ maxEntries: 10, ttlMs: 60_000 });
    caches.setLive(true);
    const cache = caches.cache<string>('c');
    const stale = await cache.get('k', async () => {
      caches.invalidate(['org:1']); // the change commits while the read is in flight
      return { value: 'before the change', tags: ['org:1'] };
    });
    assert.equal(stale, 'before the change');
    assert.equal(await cache.get('k', load('after', ['org:1'])), 'after', 'read again');
    const unrelated = await cache.get('j', async () => {
      caches.invalidate(['org:2']);
      return { value: 'kept', tags: ['org:1'] };
    });
    assert.equal(unrelated, 'kept');
    assert.equal(await cache.get('j', load('not read', ['org:1'])), 'kept', 'an unrelated change does not prevent storing');
  });

  it('shares a read in flight among concurrent misses, but not with a request made after an invalidation', async () => {
    const caches = new Caches({ maxEntries: 10, ttlMs: 60_000 });
    caches.setLive(true);
    const cache = caches.cache<string>('c');
    let reads = 0;
    let finish: (value: string) => void = () => {};
    const slow = () => {
      reads++;
      return new Promise<{ value: string; tags: string[] }>((resolve) => (finish = (value) => resolve({ value, tags: ['org:1'] })));
    };
    const first = cache.get('k', slow);
    const second = cache.get('k', slow);
    assert.equal(reads, 1, 'concurrent misses share one read');
    const finishFirst = finish;
    caches.invalidate(['org:1']); // a revocation commits while the read is in flight
    const afterChange = cache.get('k', slow);
    assert.equal(reads, 2, 'a request after the change reads again');
    finish('after');
    finishFirst('before');
    assert.deepEqual(await Promise.all([first, second, afterChange]), ['before', 'before', 'after']);
    assert.equal(await cache.get('k', load('not read', ['org:1'])), 'after', 'the later read was stored; the end of the first did not drop it');
  });

  it('holds a bounded number of entries and reads expired ones again', async () => {
    let now = 0;
    const caches = new Caches({ maxEntries: 2, ttlMs: 1000 }, () => now);
    caches.setLive(true);
    const cache = caches.cache<string>('c');
    for (const key of ['x', 'y', 'z']) await cache.get(key, load(key, []));
    assert.equal(cache.stats().size, 2);
    assert.equal(await cache.get('x', load('x again', [])), 'x again', 'the oldest went first');
    now = 1001;
    assert.equal(await cache.get('z', load('z again', [])), 'z again', 'expired');
  });

  it('is off with no entries allowed (TESSERA_CACHE_ENTRIES=0)', async () => {
    const caches = new Caches({ maxEntries: 0, ttlMs: 1000 });
    caches.setLive(true);
    const cache = caches.cache<string>('c');
    await cache.get('k', load('1', []));
    assert.equal(await cache.get('k', load('2', [])), '2');
  });
});
