/**
 * Organization API tokens (issue 8): the native API, authentication with them, privileges
 * bounded by the creator's, source-address allow-lists, expiry, deactivation, rotation with a
 * grace window, and the organization's token policy.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { it } from 'node:test';
import { createOrganization, createProject, roleIds, userWithRole } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';

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
    const used = await admin.get(`${base(org)}/${id}`);
    assert.equal(used.body.status.lastUsed.address, '127.0.0.1');

    const put = await admin.put(`${base(org)}/${id}`, { ...body(), metadata: { name: 'renamed' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.metadata.name, 'renamed');
    assert.equal((await admin.delete(`${base(org)}/${id}`)).status, 200);
    assert.equal((await asToken.get(`/api/v1/organizations/${org}/groups`)).status, 401, 'a deleted token stops at once');
    assert.equal((await admin.get(`${base(org)}/${id}`)).status, 404);
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
