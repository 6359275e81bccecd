/**
 * The Docker Hub face (issue 9): organization access tokens through Docker's API, checked
 * against Docker's own OpenAPI file, over Tessera's API tokens.
 */
import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import { createOrganization, userWithRole } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';
import { conformsTo } from './support/upstream-spec.ts';

const spec = 'docker-hub-org-access-tokens.openapi.yaml';
const conforms = (t: TestContext, schema: string, value: unknown) => conformsTo(t, spec, schema, value);

suite('Docker Hub face', (ctx) => {
  async function organization() {
    const name = uniqueName('acme');
    const id = await createOrganization(ctx().admin, name);
    return { name, id, base: `/v2/orgs/${name}/access-tokens` };
  }

  it('creates, lists, reads, updates and deletes tokens as Docker does', async (t) => {
    const admin = ctx().admin;
    const org = await organization();
    const body = {
      label: 'CI pipeline',
      description: 'Pushes images',
      resources: [{ type: 'TYPE_REPO', path: `${org.name}/*`, scopes: ['scope-image-pull', 'scope-image-push'] }],
      expires_at: '2030-01-01T00:00:00Z',
    };
    const created = await admin.post(org.base, body);
    assert.equal(created.status, 201, created.text);
    await conforms(t, 'createOrgAccessTokenResponse', created.body);
    assert.match(created.body.token, /^tsr_oat_/);
    assert.deepEqual(
      [created.body.label, created.body.description, created.body.resources, created.body.expires_at, created.body.is_active, created.body.last_used_at],
      [body.label, body.description, body.resources, body.expires_at, true, null],
    );
    const id = created.body.id;
    const read = await admin.get(`${org.base}/${id}`);
    await conforms(t, 'getOrgAccessTokenResponse', read.body);
    assert.equal('token' in read.body, false);

    const patched = await admin.request('PATCH', `${org.base}/${id}`, { is_active: false, label: 'CI (paused)' });
    assert.equal(patched.status, 200, patched.text);
    await conforms(t, 'updateOrgAccessTokenResponse', patched.body);
    assert.deepEqual([patched.body.is_active, patched.body.label, patched.body.description], [false, 'CI (paused)', body.description]);

    const native = await admin.get(`/api/v1/organizations/${org.id}/apitokens/${id}`);
    assert.deepEqual(
      [native.body.metadata.name, native.body.spec.active, native.body.spec.resources],
      ['CI (paused)', false, body.resources],
      'the same token through the native API',
    );

    const deleted = await admin.delete(`${org.base}/${id}`);
    assert.deepEqual([deleted.status, deleted.text], [204, '']);
    const gone = await admin.get(`${org.base}/${id}`);
    assert.deepEqual([gone.status, gone.body], [404, { detail: 'API token not found', message: 'API token not found' }]);
  });

  it('keeps both of two concurrent partial updates of different fields (Docker’s PATCH, Mist’s PUT)', async () => {
    const admin = ctx().admin;
    const org = await organization();
    const created = await admin.post(org.base, { label: 'shared', resources: [{ type: 'TYPE_REPO', path: `${org.name}/*`, scopes: ['scope-image-pull'] }] });
    const id = created.body.access_token_id ?? created.body.id;
    for (let round = 0; round < 10; round++) {
      const [docker, mist] = await Promise.all([
        admin.request('PATCH', `${org.base}/${id}`, { description: `round ${round}` }),
        admin.put(`/api/v1/orgs/${org.id}/apitokens/${id}`, { name: 'shared', src_ips: [`10.0.${round}.0/24`] }),
      ]);
      assert.deepEqual([docker.status, mist.status], [200, 200], `${docker.text} ${mist.text}`);
      const native = (await admin.get(`/api/v1/organizations/${org.id}/apitokens/${id}`)).body;
      assert.deepEqual([native.metadata.description, native.spec.sourceIPs], [`round ${round}`, [`10.0.${round}.0/24`]], `round ${round}: neither lost`);
    }
  });

  it('pages with page and page_size: total, absolute next and previous, null at the ends', async (t) => {
    const org = await organization();
    for (let i = 0; i < 3; i++) await ctx().admin.post(org.base, { label: `t${i}` });
    const first = await ctx().admin.get(`${org.base}?page=1&page_size=2`);
    await conforms(t, 'getOrgAccessTokensResponse', { ...first.body, previous: first.body.previous ?? undefined });
    assert.deepEqual([first.body.total, first.body.results.length, first.body.previous], [3, 2, null]);
    assert.equal(first.body.next, `${ctx().config.issuer}/v2/orgs/${org.name}/access-tokens?page=2&page_size=2`);
    assert.deepEqual(
      first.body.results.map((t: any) => t.label),
      ['t2', 't1'],
      'newest first',
    );
    const second = await ctx().admin.get(`${org.base}?page=2&page_size=2`);
    assert.deepEqual([second.body.results.map((t: any) => t.label), second.body.next], [['t0'], null]);
    assert.equal(second.body.previous, `${ctx().config.issuer}/v2/orgs/${org.name}/access-tokens?page=1&page_size=2`);
    const bad = await ctx().admin.get(`${org.base}?page_size=101`);
    assert.deepEqual([bad.status, Object.keys(bad.body).sort()], [400, ['fields', 'text']]);
  });

  it('logs in with the organization name and a token, for a 10-minute JWT that stands for the token', async (t) => {
    const org = await organization();
    const created = await ctx().admin.post(org.base, { label: 'login' });
    const login = await ctx().anonymous.post('/v2/auth/token', { identifier: org.name, secret: created.body.token });
    assert.equal(login.status, 200, login.text);
    await conforms(t, 'AuthCreateTokenResponse', login.body);
    const claims = JSON.parse(Buffer.from(login.body.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.exp - claims.iat, 600);
    assert.equal((await ctx().admin.as(login.body.access_token).get(`/api/v1/organizations/${org.id}/apitokens`)).status, 403, 'no Tessera privileges');
    const other = await organization();
    for (const attempt of [
      { identifier: other.name, secret: created.body.token },
      { identifier: org.name, secret: 'tsr_oat_wrong' },
      { identifier: 'no-such-org', secret: created.body.token },
    ]) {
      const refused = await ctx().anonymous.post('/v2/auth/token', attempt);
      assert.deepEqual([refused.status, refused.body.detail], [401, 'the identifier and secret do not match'], JSON.stringify(attempt));
    }
    const audited = (await ctx().admin.get('/api/v1/auditlogs?action=authentication.failed&limit=1000')).body;
    assert.ok(
      audited.some((e: any) => e.detail === 'the identifier and secret do not match'),
      'failed logins are audited (and budgeted per address)',
    );
    await ctx().admin.request('PATCH', `${org.base}/${created.body.id}`, { is_active: false });
    assert.equal((await ctx().admin.as(login.body.access_token).get('/api/v1/acl')).status, 401, 'the JWT stops with its token');
  });

  it('refuses bad resources, dates and fields with Docker’s 400, writing nothing', async (t) => {
    const org = await organization();
    const cases: [unknown, string][] = [
      [{}, 'body is missing the field "label"'],
      [{ label: 'x', description: 'd'.repeat(201) }, 'body.description must NOT have more than 200 characters'],
      [{ label: 'x', expires_at: '2030-01-01T00:00:00+02:00' }, 'body.expires_at is not valid: a UTC time such as 2027-05-20T00:54:18Z'],
      [{ label: 'x', resources: [{ type: 'TYPE_REPO', path: 'not a path', scopes: ['scope-image-pull'] }] }, 'body.resources.0.path must be'],
      [
        { label: 'x', resources: [{ type: 'TYPE_REPO', path: `${org.name}/app`, scopes: ['scope-member-read'] }] },
        'body.resources.0.scopes has an unknown scope',
      ],
      [
        { label: 'x', resources: [{ type: 'TYPE_ORG', path: 'someone-else', scopes: ['scope-member-read'] }] },
        "body.resources.0.path must be the organization's name",
      ],
      [{ label: 'x', resources: [{ type: 'TYPE_TEAM', path: 'x', scopes: ['a'] }] }, 'body.resources.0.type must be one of'],
      [{ label: 'x', colour: 'red' }, 'body has unknown field "colour"'],
    ];
    for (const [payload, message] of cases) {
      const res = await ctx().admin.post(org.base, payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      await conforms(t, 'ValueError', res.body);
      assert.ok(res.body.text.startsWith(message), `${res.body.text} / ${message}`);
    }
    assert.equal((await ctx().admin.get(org.base)).body.total, 0);
  });

  it('refuses a 10 MB body in Docker’s envelope, and a token made here authenticates on the other APIs', async (t) => {
    const org = await organization();
    const huge = await ctx().admin.request('POST', org.base, `{"label":"${'x'.repeat(10 * 1024 * 1024)}"}`, { 'content-type': 'application/json' });
    assert.equal(huge.status, 400);
    await conforms(t, 'ValueError', huge.body);
    assert.equal((await ctx().admin.get(org.base)).body.total, 0);
    const made = await ctx().admin.post(org.base, { label: 'cross' });
    const asToken = ctx().admin.as(made.body.token);
    assert.equal((await asToken.get('/api/v1/acl')).status, 200, 'native API');
    const mist = await ctx().anonymous.request('GET', `/api/v1/orgs/${org.id}/apitokens`, undefined, { authorization: `Token ${made.body.token}` });
    assert.deepEqual([mist.status, mist.body], [403, { detail: 'You do not have permission to perform this action.' }], 'Mist face: known, without privileges');
  });

  it('keeps organizations apart and lets only token managers manage', async (t) => {
    const a = await organization();
    const b = await organization();
    const tokenOfA = (await ctx().admin.post(a.base, { label: 'a' })).body.id;
    const bAdmin = await userWithRole(ctx(), b.id, 'administrator');
    for (const [method, path] of [
      ['GET', a.base],
      ['POST', a.base],
      ['GET', `${a.base}/${tokenOfA}`],
      ['PATCH', `${a.base}/${tokenOfA}`],
      ['DELETE', `${a.base}/${tokenOfA}`],
    ] as const) {
      const res = await bAdmin.client.request(method, path, method === 'POST' || method === 'PATCH' ? { label: 'x' } : undefined);
      assert.equal(res.status, 403, `${method} ${path}`);
      await conforms(t, 'Error', res.body);
    }
    assert.equal((await bAdmin.client.get(`${b.base}/${tokenOfA}`)).status, 404, 'A’s token is not in B');
    const reader = await userWithRole(ctx(), a.id, 'reader');
    assert.equal((await reader.client.get(a.base)).status, 403);
    assert.equal((await ctx().anonymous.get(a.base)).status, 401);
  });
});
