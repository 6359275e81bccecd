/**
 * Organization API tokens (issue 8): the native API, authentication with them, privileges
 * bounded by the creator's, source-address allow-lists, expiry, deactivation, rotation with a
 * grace window, and the organization's token policy.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { it } from 'node:test';
import { createOrganization, createProject, createServiceAccount, roleIds, userWithRole } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';
import { registerClient } from './support/world.ts';

const tokenPattern = /^tsr_oat_[0-9A-Za-z]{49}$/;

suite('API tokens', (ctx) => {
  const base = (org: string) => `/api/v1/organizations/${org}/apitokens`;
  const body = (spec: Record<string, unknown> = {}) => ({
    metadata: { name: uniqueName('tok'), description: 'CI pipeline' },
    spec: { privileges: [{ roleID: roleIds.auditor }], ...spec },
  });

  it('creates a token shown once, which authenticates with its privileges, and lists, reads, updates and deletes it', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const created = await admin.post(base(org), body({ resources: [{ type: 'TYPE_REPO', path: 'acme/*', scopes: ['scope-image-pull'] }] }));
    assert.equal(created.status, 201, created.text);
    const { token } = created.body.status;
    assert.match(token, tokenPattern);
    assert.deepEqual(created.body.spec, {
      privileges: [{ roleID: roleIds.auditor }],
      resources: [{ type: 'TYPE_REPO', path: 'acme/*', scopes: ['scope-image-pull'] }],
      sourceIPs: [],
      expiresAt: null,
      active: true,
      rateLimitPerHour: null,
    });
    assert.equal(created.body.metadata.organizationId, org);
    assert.equal(created.body.status.state, 'active');
    const id = created.body.metadata.id;

    const read = await admin.get(`${base(org)}/${id}`);
    assert.equal(read.status, 200);
    assert.equal('token' in read.body.status, false, 'the secret is never shown again');
    assert.ok(!JSON.stringify((await admin.get(base(org))).body).includes(token));

    const asToken = admin.as(token);
    assert.equal((await asToken.get(`/api/v1/organizations/${org}/groups`)).status, 200, 'an auditor may read groups');
    const denied = await asToken.post(`/api/v1/organizations/${org}/groups`, {
      metadata: { name: uniqueName('g') },
      spec: { roleIDs: [], userIDs: [], serviceAccountIDs: [] },
    });
    assert.deepEqual([denied.status, denied.body.error], [403, 'forbidden']);
    const mist = await ctx().anonymous.request('GET', `/api/v1/organizations/${org}/groups`, undefined, { authorization: `Token ${token}` });
    assert.equal(mist.status, 200, "Mist's `Token` scheme works too");
    // Last use is written after the answer (it must not slow the request down): read until it is there.
    let used = await admin.get(`${base(org)}/${id}`);
    for (let tries = 0; !used.body.status.lastUsed && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      used = await admin.get(`${base(org)}/${id}`);
    }
    assert.equal(used.body.status.lastUsed.address, '127.0.0.1');

    const put = await admin.put(`${base(org)}/${id}`, { ...body(), metadata: { name: 'renamed' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.metadata.name, 'renamed');
    assert.equal((await admin.delete(`${base(org)}/${id}`)).status, 200);
    assert.equal((await asToken.get(`/api/v1/organizations/${org}/groups`)).status, 401, 'a deleted token stops at once');
    assert.equal((await admin.get(`${base(org)}/${id}`)).status, 404);
  });

  it("keeps two organizations' tokens apart: another organization's administrator reaches none of them", async () => {
    const admin = ctx().admin;
    const a = await createOrganization(admin);
    const b = await createOrganization(admin);
    const tokenOfA = (await admin.post(base(a), body())).body.metadata.id;
    const bAdmin = await userWithRole(ctx(), b, 'administrator');
    for (const [method, path, payload] of [
      ['GET', base(a)],
      ['POST', base(a), body()],
      ['GET', `${base(a)}/${tokenOfA}`],
      ['PUT', `${base(a)}/${tokenOfA}`, body()],
      ['POST', `${base(a)}/${tokenOfA}/rotate`, {}],
      ['DELETE', `${base(a)}/${tokenOfA}`],
      ['GET', `/api/v1/organizations/${a}/apitokenpolicy`],
      ['GET', `/api/v1/organizations/${a}/auditlogs`],
    ] as const) {
      const res = await bAdmin.client.request(method, path, payload);
      assert.deepEqual([res.status, res.body.error], [403, 'forbidden'], `${method} ${path}`);
    }
    // Through B's own paths, A's token is not found.
    for (const [method, path] of [
      ['GET', `${base(b)}/${tokenOfA}`],
      ['DELETE', `${base(b)}/${tokenOfA}`],
    ] as const) {
      assert.equal((await bAdmin.client.request(method, path)).status, 404, `${method} ${path}`);
    }
    assert.deepEqual((await bAdmin.client.get(base(b))).body, []);
    assert.equal((await admin.get(`${base(a)}/${tokenOfA}`)).status, 200, 'A’s token is untouched');
  });

  it('refuses bad input with a clear 400 and writes nothing', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const cases: [unknown, string][] = [
      [{ metadata: { name: 'x' }, spec: {} }, 'body.spec is missing the field "privileges"'],
      [{ metadata: { name: 'x', description: 'd'.repeat(201) }, spec: { privileges: [] } }, 'body.metadata.description must NOT have more than 200 characters'],
      [
        { metadata: { name: 'x' }, spec: { privileges: [], sourceIPs: Array.from({ length: 11 }, (_, i) => `10.0.0.${i}`) } },
        'body.spec.sourceIPs must NOT have more than 10 items',
      ],
      [
        { metadata: { name: 'x' }, spec: { privileges: [], resources: [{ type: 'TYPE_REPO', path: 'a/b' }] } },
        'body.spec.resources.0 is missing the field "scopes"',
      ],
      [
        { metadata: { name: 'x' }, spec: { privileges: [], expiresAt: 'tomorrow' } },
        'body.spec.expiresAt must be a date and time such as 2027-01-31T12:00:00Z (RFC 3339)',
      ],
      [{ metadata: { name: 'x' }, spec: { privileges: [], colour: 'red' } }, 'body.spec has unknown field "colour"'],
    ];
    for (const [payload, message] of cases) {
      const res = await admin.post(base(org), payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      assert.equal(res.body.error, 'invalid_request');
      assert.equal(res.body.error_description, message);
    }
    assert.deepEqual((await admin.get(base(org))).body, []);
    assert.equal((await admin.post(`${base(org)}/00000000-0000-4000-8000-000000000000/rotate`, {})).status, 404);
  });

  it('is worthless in another organization, whatever IDs it names', async () => {
    const admin = ctx().admin;
    const a = await createOrganization(admin);
    const b = await createOrganization(admin);
    const token = (await admin.post(base(a), body({ privileges: [{ roleID: roleIds.administrator }] }))).body.status.token;
    const asToken = admin.as(token);
    for (const path of ['/groups', '/apitokens', '/users', '']) {
      const res = await asToken.get(`/api/v1/organizations/${b}${path}`);
      assert.equal(res.status, 403, path);
    }
    assert.equal((await asToken.get('/api/v1/organizations')).status, 200);
  });

  it('never grants more than the creator holds, and protected roles not at all', async () => {
    const org = await createOrganization(ctx().admin);
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    const res = await orgAdmin.client.post(
      base(org),
      body({ privileges: [{ roleID: roleIds['platform-administrator'] ?? '4fe59821-bc85-4d0e-a35b-f2535d1d5578' }] }),
    );
    assert.deepEqual([res.status, res.body.error], [403, 'forbidden']);
    const narrow = await orgAdmin.client.post(base(org), body());
    assert.equal(narrow.status, 201, narrow.text);
    // An auditor-privileged token cannot mint a wider one, nor any at all (no apitokens create).
    const byToken = await ctx()
      .admin.as(narrow.body.status.token)
      .post(base(org), body({ privileges: [{ roleID: roleIds.administrator }] }));
    assert.deepEqual([byToken.status, byToken.body.error], [403, 'forbidden']);
    const unknown = await ctx().admin.post(base(org), body({ privileges: [{ roleID: '00000000-0000-4000-8000-000000000000' }] }));
    assert.deepEqual(unknown.body, {
      error: 'invalid_request',
      error_description: 'spec.privileges names unknown roles: 00000000-0000-4000-8000-000000000000',
    });
  });

  it('lets a token with token permissions manage tokens, within its own privileges', async () => {
    const org = await createOrganization(ctx().admin);
    const manager = (await ctx().admin.post(base(org), body({ privileges: [{ roleID: roleIds.administrator }] }))).body.status.token;
    const asManager = ctx().admin.as(manager);
    const minted = await asManager.post(base(org), body());
    assert.equal(minted.status, 201, minted.text);
    assert.equal(
      minted.body.metadata.createdBy,
      `apitoken:${(await ctx().admin.get(base(org))).body.find((t: any) => t.spec.privileges[0].roleID === roleIds.administrator).metadata.id}`,
    );
    const wider = await asManager.post(base(org), body({ privileges: [{ roleID: '4fe59821-bc85-4d0e-a35b-f2535d1d5578' }] }));
    assert.deepEqual([wider.status, wider.body.error], [403, 'forbidden'], 'never beyond its own privileges');
  });

  it('grants a role in one project only', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const mine = await createProject(admin, org);
    const other = await createProject(admin, org);
    const token = (await admin.post(base(org), body({ privileges: [{ roleID: roleIds.reader, projectID: mine }] }))).body.status.token;
    const asToken = admin.as(token);
    assert.equal((await asToken.get(`/api/v1/organizations/${org}/projects/${mine}`)).status, 200);
    assert.equal((await asToken.get(`/api/v1/organizations/${org}/projects/${other}`)).status, 403);
    const missing = await admin.post(base(org), body({ privileges: [{ roleID: roleIds.reader, projectID: '00000000-0000-4000-8000-000000000000' }] }));
    assert.deepEqual([missing.status, missing.body.error], [400, 'invalid_request']);
  });
});

suite('API tokens: lifecycle', (ctx) => {
  const base = (org: string) => `/api/v1/organizations/${org}/apitokens`;
  const create = async (org: string, spec: Record<string, unknown> = {}) => {
    const res = await ctx().admin.post(base(org), { metadata: { name: uniqueName('tok') }, spec: { privileges: [{ roleID: roleIds.auditor }], ...spec } });
    assert.equal(res.status, 201, res.text);
    return { id: res.body.metadata.id as string, token: res.body.status.token as string, body: res.body };
  };
  const groupsAs = async (org: string, token: string) => ctx().admin.as(token).get(`/api/v1/organizations/${org}/groups`);

  it('stops a deactivated token at once, and takes it back when reactivated', async () => {
    const org = await createOrganization(ctx().admin);
    const t = await create(org);
    const current = (await ctx().admin.get(`${base(org)}/${t.id}`)).body;
    const off = await ctx().admin.put(`${base(org)}/${t.id}`, { ...current, spec: { ...current.spec, active: false } });
    assert.deepEqual([off.status, off.body.status.state], [200, 'inactive']);
    assert.deepEqual((await groupsAs(org, t.token)).body, { error: 'access_denied', error_description: 'the API token is deactivated' });
    assert.deepEqual(
      (await ctx().admin.get(`${base(org)}?state=inactive`)).body.map((x: any) => x.metadata.id),
      [t.id],
    );
    await ctx().admin.put(`${base(org)}/${t.id}`, { ...current, spec: { ...current.spec, active: true } });
    assert.equal((await groupsAs(org, t.token)).status, 200);
  });

  it('expires, keeps its expiry fixed, and lists by state and expiry', async () => {
    const org = await createOrganization(ctx().admin);
    const later = new Date(Date.now() + 86400_000).toISOString();
    const t = await create(org, { expiresAt: later });
    assert.equal(t.body.spec.expiresAt, later);
    const current = (await ctx().admin.get(`${base(org)}/${t.id}`)).body;
    const moved = await ctx().admin.put(`${base(org)}/${t.id}`, {
      ...current,
      spec: { ...current.spec, expiresAt: new Date(Date.now() + 2 * 86400_000).toISOString() },
    });
    assert.deepEqual(moved.body, {
      error: 'invalid_request',
      error_description: 'spec.expiresAt is fixed when the token is created; create a new token instead',
    });
    const past = await ctx().admin.post(base(org), { metadata: { name: uniqueName('t') }, spec: { privileges: [], expiresAt: '2020-01-01T00:00:00Z' } });
    assert.deepEqual(past.body, { error: 'invalid_request', error_description: 'spec.expiresAt must be in the future' });
    await ctx().db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [t.id], { notes: true });
    assert.deepEqual((await groupsAs(org, t.token)).body, { error: 'access_denied', error_description: 'the API token has expired' });
    assert.deepEqual(
      (await ctx().admin.get(`${base(org)}?state=expired`)).body.map((x: any) => [x.metadata.id, x.status.state]),
      [[t.id, 'expired']],
    );
    assert.deepEqual((await ctx().admin.get(`${base(org)}?expiresBefore=${encodeURIComponent(later)}`)).body.length, 1);
  });

  it('rotates: the new secret is shown once, the old one works through the grace window and then is refused', async () => {
    const org = await createOrganization(ctx().admin);
    const t = await create(org);
    const rotated = await ctx().admin.post(`${base(org)}/${t.id}/rotate`, { gracePeriodSeconds: 3600 });
    assert.equal(rotated.status, 200, rotated.text);
    assert.notEqual(rotated.body.status.token, t.token);
    assert.ok(rotated.body.status.previousSecretValidUntil);
    assert.equal((await groupsAs(org, t.token)).status, 200, 'the old secret works during the window');
    assert.equal((await groupsAs(org, rotated.body.status.token)).status, 200);
    await ctx().db.query(`UPDATE api_tokens SET previous_valid_until = now() - interval '1 second' WHERE id = $1`, [t.id], { notes: true });
    assert.deepEqual((await groupsAs(org, t.token)).body, {
      error: 'access_denied',
      error_description: 'the API token was rotated and its previous secret no longer works',
    });
    const again = await ctx().admin.post(`${base(org)}/${t.id}/rotate`); // no body: no grace period
    assert.equal((await groupsAs(org, rotated.body.status.token)).status, 401, 'without a grace period the old secret stops at once');
    assert.equal((await groupsAs(org, again.body.status.token)).status, 200);
    const tooLong = await ctx().admin.post(`${base(org)}/${t.id}/rotate`, { gracePeriodSeconds: 604801 });
    assert.deepEqual([tooLong.status, tooLong.body.error], [400, 'invalid_request']);
  });

  it('keeps to the organization policy: maximum count (all states), required expiry and maximum lifetime', async () => {
    const org = await createOrganization(ctx().admin);
    const policyUrl = `/api/v1/organizations/${org}/apitokenpolicy`;
    assert.deepEqual((await ctx().admin.get(policyUrl)).body, { maxLifetimeSeconds: null, requireExpiry: false, maxTokens: 100, rateLimitPerHour: 5000 });
    const set = await ctx().admin.put(policyUrl, { maxLifetimeSeconds: 86400, requireExpiry: true, maxTokens: 2, rateLimitPerHour: 100 });
    assert.deepEqual(set.body, { maxLifetimeSeconds: 86400, requireExpiry: true, maxTokens: 2, rateLimitPerHour: 100 });
    const noExpiry = await ctx().admin.post(base(org), { metadata: { name: uniqueName('t') }, spec: { privileges: [] } });
    assert.deepEqual(noExpiry.body, { error: 'invalid_request', error_description: 'spec.expiresAt is required by the organization’s token policy' });
    const tooLong = await ctx().admin.post(base(org), {
      metadata: { name: uniqueName('t') },
      spec: { privileges: [], expiresAt: new Date(Date.now() + 2 * 86400_000).toISOString() },
    });
    assert.equal(tooLong.body.error_description, 'spec.expiresAt is beyond the organization’s maximum token lifetime of 86400 seconds');
    const soon = () => new Date(Date.now() + 3600_000).toISOString();
    const first = await create(org, { expiresAt: soon() });
    const second = await create(org, { expiresAt: soon(), active: false });
    await ctx().db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [first.id], { notes: true });
    const third = await ctx().admin.post(base(org), { metadata: { name: uniqueName('t') }, spec: { privileges: [], expiresAt: soon() } });
    assert.deepEqual([third.status, third.body.error], [409, 'conflict'], 'expired and inactive tokens count until deleted');
    await ctx().admin.delete(`${base(org)}/${second.id}`);
    assert.equal((await create(org, { expiresAt: soon() })).body.status.state, 'active');
  });

  it('never passes the maximum under 20 parallel creations, and a refused one leaves nothing behind', async () => {
    const org = await createOrganization(ctx().admin);
    await ctx().admin.put(`/api/v1/organizations/${org}/apitokenpolicy`, {
      maxLifetimeSeconds: null,
      requireExpiry: false,
      maxTokens: 5,
      rateLimitPerHour: 5000,
    });
    const attempts = await Promise.all(
      Array.from({ length: 20 }, () =>
        ctx().admin.post(base(org), { metadata: { name: uniqueName('parallel') }, spec: { privileges: [{ roleID: roleIds.auditor }] } }),
      ),
    );
    assert.deepEqual(attempts.map((a) => a.status).sort(), [...Array(5).fill(201), ...Array(15).fill(409)]);
    const stored = await ctx().db.query<{ tokens: number; grants: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM api_tokens WHERE organization_id = $1) AS tokens,
              (SELECT count(*)::int FROM api_token_grants WHERE organization_id = $1) AS grants,
              (SELECT count(*)::int FROM audit_events WHERE organization_id = $1 AND action = 'apitoken.created') AS events`,
      [org],
    );
    assert.deepEqual(stored.rows[0], { tokens: 5, grants: 5, events: 5 });
  });

  it('answers introspection for API tokens and service-account tokens, with nothing secret', async () => {
    const org = await createOrganization(ctx().admin);
    const t = await create(org, { resources: [{ type: 'TYPE_ORG', path: 'acme', scopes: ['scope-member-read'] }], sourceIPs: ['10.1.2.3'] });
    const system = await registerClient(ctx().admin);
    const introspect = (token: string) =>
      ctx().anonymous.request('POST', '/oauth2/v2/introspect', `token=${token}`, {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${system.id}:${system.secret}`).toString('base64')}`,
      });
    const res = await introspect(t.token);
    assert.equal(res.status, 200);
    assert.equal(res.body.active, true);
    assert.equal(res.body.token_type, 'api_token');
    assert.equal(res.body.organization_id, org);
    assert.deepEqual(res.body.resources, [{ type: 'TYPE_ORG', path: 'acme', scopes: ['scope-member-read'] }]);
    assert.deepEqual(res.body.source_ips, ['10.1.2.3']);
    assert.ok(res.body.acl.organization.endpoints.some((e: any) => e.name === 'identity:groups'));
    assert.ok(!res.text.includes(t.token));
    const sa = await createServiceAccount(ctx().admin, org);
    const saInfo = await introspect(sa.token);
    assert.deepEqual([saInfo.body.active, saInfo.body.token_type, saInfo.body.organization_id], [true, 'service_account', org]);
    await ctx().admin.delete(`${base(org)}/${t.id}`);
    assert.deepEqual((await introspect(t.token)).body, { active: false });
  });
});

/** A GET from a chosen local address (loopback has 127.0.0.0/8 and ::1), over real TCP. */
function getFrom(url: string, localAddress: string, token: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const target = new URL(url);
    if (localAddress.includes(':')) target.hostname = '[::1]';
    const req = request(target, { localAddress, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

suite(
  'API tokens from the network',
  (ctx) => {
    const base = (org: string) => `/api/v1/organizations/${org}/apitokens`;
    const create = async (org: string, spec: Record<string, unknown>) => {
      const res = await ctx().admin.post(base(org), { metadata: { name: uniqueName('tok') }, spec: { privileges: [{ roleID: roleIds.auditor }], ...spec } });
      assert.equal(res.status, 201, res.text);
      return res.body as { metadata: { id: string }; status: { token: string } };
    };

    it('honours IPv4, IPv6 and CIDR allow-lists with the real client address, and the list can change', async () => {
      const org = await createOrganization(ctx().admin);
      const groups = `${ctx().url}/api/v1/organizations/${org}/groups`;
      const token = await create(org, { sourceIPs: ['127.0.0.2', '10.0.0.0/8', '::1/128'] });
      assert.equal((await getFrom(groups, '127.0.0.2', token.status.token)).status, 200);
      assert.equal((await getFrom(groups, '::1', token.status.token)).status, 200);
      const refused = await getFrom(groups, '127.0.0.3', token.status.token);
      assert.deepEqual([refused.status, refused.body], [403, { error: 'forbidden', error_description: 'the API token may not be used from this address' }]);
      const current = (await ctx().admin.get(`${base(org)}/${token.metadata.id}`)).body;
      const widened = await ctx().admin.put(`${base(org)}/${token.metadata.id}`, { ...current, spec: { ...current.spec, sourceIPs: ['127.0.0.0/24'] } });
      assert.equal(widened.status, 200, widened.text);
      assert.equal((await getFrom(groups, '127.0.0.3', token.status.token)).status, 200, 'the edited list applies at once');
      assert.equal((await getFrom(groups, '::1', token.status.token)).status, 403);
      const bad = await ctx().admin.post(base(org), { metadata: { name: uniqueName('t') }, spec: { privileges: [], sourceIPs: ['10.0.0.0/33'] } });
      assert.deepEqual(bad.body, { error: 'invalid_request', error_description: 'spec.sourceIPs: "10.0.0.0/33" is not an IP address or CIDR range' });
    });

    it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
      const org = await createOrganization(ctx().admin);
      const token = await create(org, { sourceIPs: ['192.0.2.7'] });
      const spoofed = await getFrom(`${ctx().url}/api/v1/organizations/${org}/groups`, '127.0.0.1', token.status.token, { 'x-forwarded-for': '192.0.2.7' });
      assert.equal(spoofed.status, 403);
    });
  },
  {},
  { listen: true, listenHost: '::' },
);

suite(
  'API tokens behind a trusted proxy',
  (ctx) => {
    it('takes the client address from X-Forwarded-For when the request comes from a trusted proxy', async () => {
      const org = await createOrganization(ctx().admin);
      const res = await ctx().admin.post(`/api/v1/organizations/${org}/apitokens`, {
        metadata: { name: uniqueName('tok') },
        spec: { privileges: [{ roleID: roleIds.auditor }], sourceIPs: ['192.0.2.7'] },
      });
      const groups = `${ctx().url}/api/v1/organizations/${org}/groups`;
      assert.equal((await getFrom(groups, '127.0.0.5', res.body.status.token, { 'x-forwarded-for': '192.0.2.7' })).status, 200);
      assert.equal((await getFrom(groups, '127.0.0.5', res.body.status.token, { 'x-forwarded-for': '192.0.2.8' })).status, 403);
      assert.equal((await getFrom(groups, '127.0.0.9', res.body.status.token, { 'x-forwarded-for': '192.0.2.7' })).status, 403, 'not from the proxy');
    });
  },
  { TESSERA_TRUSTED_PROXIES: '127.0.0.5' },
  { listen: true },
);
