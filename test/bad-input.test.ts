/** Bad input gets 400 (or 415) with the Identity API envelope and changes nothing. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createOrganization } from './fixtures.ts';
import { suite } from './helpers.ts';

suite('bad input', (ctx) => {
  async function countRows() {
    const tables = ['organizations', 'groups', 'projects', 'organization_users', 'users', 'service_accounts', 'oauth2_providers', 'allocations', 'quotas'];
    const counts = await Promise.all(tables.map((t) => ctx().db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)));
    return Object.fromEntries(tables.map((t, i) => [t, counts[i].rows[0].n]));
  }

  it('refuses malformed bodies, wrong types, bad enums, bad names, unknown fields and non-UUID IDs', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const before = await countRows();
    const cases: { call: [string, string, unknown, Record<string, string>?]; body: unknown; status?: number }[] = [
      {
        call: ['POST', '/api/v1/organizations', '{"metadata": {"name": "x"'],
        body: { error: 'invalid_request', error_description: 'the request body is not valid JSON' },
      },
      { call: ['POST', '/api/v1/organizations', '[]'], body: { error: 'invalid_request', error_description: 'body must be object' } },
      {
        call: ['POST', '/api/v1/organizations', { metadata: { name: 'x' }, spec: { organizationType: 'corporate' } }],
        body: { error: 'invalid_request', error_description: 'body.spec.organizationType must be one of "adhoc", "domain"' },
      },
      {
        call: ['POST', '/api/v1/organizations', { metadata: { name: '-bad-' }, spec: { organizationType: 'adhoc' } }],
        body: {
          error: 'invalid_request',
          error_description:
            'body.metadata.name is not valid: 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (a Kubernetes label value)',
        },
      },
      {
        call: ['POST', '/api/v1/organizations', { metadata: { name: 'a'.repeat(64) }, spec: { organizationType: 'adhoc' } }],
        body: {
          error: 'invalid_request',
          error_description:
            'body.metadata.name is not valid: 1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (a Kubernetes label value)',
        },
      },
      {
        call: ['POST', '/api/v1/organizations', { metadata: { name: 'ok' }, spec: { organizationType: 'adhoc' }, admin: true }],
        body: { error: 'invalid_request', error_description: 'body has unknown field "admin"' },
      },
      {
        call: ['POST', `/api/v1/organizations/${org}/groups`, { metadata: { name: 'g' }, spec: { userIDs: 'all', serviceAccountIDs: [], roleIDs: [] } }],
        body: { error: 'invalid_request', error_description: 'body.spec.userIDs must be array' },
      },
      {
        call: [
          'POST',
          `/api/v1/organizations/${org}/groups`,
          { metadata: { name: 'g' }, spec: { userIDs: ['not-a-uuid'], serviceAccountIDs: [], roleIDs: [] } },
        ],
        body: { error: 'invalid_request', error_description: 'body.spec.userIDs.0 must be a UUID' },
      },
      {
        call: ['POST', `/api/v1/organizations/${org}/users`, { spec: { subject: 'not-an-email', state: 'active', groupIDs: [] } }],
        body: { error: 'invalid_request', error_description: 'body.spec.subject must be an email address' },
      },
      {
        call: ['POST', `/api/v1/organizations/${org}/users`, { spec: { subject: 'a@example.com', state: 'banned', groupIDs: [] } }],
        body: { error: 'invalid_request', error_description: 'body.spec.state must be one of "active", "pending", "suspended"' },
      },
      {
        call: ['PUT', `/api/v1/organizations/${org}/quotas`, { quotas: [{ kind: 'servers', quantity: '10' }] }],
        body: { error: 'invalid_request', error_description: 'body.quotas.0.quantity must be integer' },
      },
      {
        call: ['PUT', `/api/v1/organizations/${org}/quotas`, { quotas: [{ kind: 'servers', quantity: -1 }] }],
        body: { error: 'invalid_request', error_description: 'body.quotas.0.quantity must be >= 0' },
      },
      {
        call: ['GET', '/api/v1/organizations/not-a-uuid', undefined],
        body: { error: 'invalid_request', error_description: 'params.organizationID must be a UUID' },
      },
      {
        call: ['DELETE', `/api/v1/organizations/${org}/groups/123`, undefined],
        body: { error: 'invalid_request', error_description: 'params.groupid must be a UUID' },
      },
      {
        call: ['POST', '/api/v1/organizations', { metadata: { name: 'x', description: 'y'.repeat(70_000) }, spec: { organizationType: 'adhoc' } }],
        body: { error: 'invalid_request', error_description: 'the request body is too large' },
      },
      {
        call: ['POST', '/api/v1/organizations', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }],
        status: 415,
        body: { error: 'unsupported_media_type', error_description: 'the content type is not supported; send application/json' },
      },
      {
        call: ['GET', '/api/v1/organizations?limit=ten', undefined],
        body: { error: 'invalid_request', error_description: 'querystring.limit is not valid: a number of items from 1 to 1000' },
      },
      {
        call: ['GET', '/api/v1/organizations?color=blue', undefined],
        body: { error: 'invalid_request', error_description: 'querystring has unknown field "color"' },
      },
      // A misspelled field is named as unknown, not reported as the field it displaced being missing.
      {
        call: ['POST', '/api/v1/organizations', { metdata: { name: 'x' }, spec: { organizationType: 'adhoc' } }],
        body: { error: 'invalid_request', error_description: 'body has unknown field "metdata"' },
      },
      {
        call: ['POST', '/api/v1/organizations', { spec: { organizationType: 'adhoc' } }],
        body: { error: 'invalid_request', error_description: 'body is missing the field "metadata"' },
      },
      // An optional body may be left out, but a body that is there must be an object.
      ...['null', '[]', '42'].flatMap((payload) => [
        {
          call: ['POST', `/api/v1/organizations/${org}/apitokens/${org}/rotate`, payload] as [string, string, unknown],
          body: { error: 'invalid_request', error_description: 'body must be object' },
        },
        {
          call: ['POST', `/api/v1/organizations/${org}/projects/${org}/workloadtokens`, payload] as [string, string, unknown],
          body: { error: 'invalid_request', error_description: 'body must be object' },
        },
      ]),
    ];
    for (const { call, body, status } of cases) {
      const [method, url, payload, headers] = call;
      const res = await admin.request(method, url, payload, typeof payload === 'string' ? { 'content-type': 'application/json', ...headers } : headers);
      assert.equal(res.status, status ?? 400, `${method} ${url}: ${res.text}`);
      assert.deepEqual(res.body, body, `${method} ${url}`);
    }
    assert.deepEqual(await countRows(), before, 'nothing was written');
  });

  it('answers missing and malformed credentials with 401 and a challenge', async () => {
    const anon = ctx().anonymous;
    const none = await anon.get('/api/v1/organizations');
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="tessera"');
    const basic = await anon.request('GET', '/api/v1/organizations', undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    assert.deepEqual(basic.body, { error: 'access_denied', error_description: 'the Authorization header must be "Bearer <token>"' });
    const forged = await anon.request('GET', '/api/v1/organizations', undefined, { authorization: `Bearer tsr_sat_${'A'.repeat(49)}` });
    assert.deepEqual(forged.body, { error: 'access_denied', error_description: 'the access token is malformed' });
    const unknown = await anon.request('GET', '/api/v1/organizations', undefined, { authorization: `Bearer ${'x'.repeat(40)}` });
    assert.deepEqual(unknown.body, { error: 'access_denied', error_description: 'the access token is not valid' });
    const nowhere = await ctx().admin.get('/api/v1/nowhere');
    assert.deepEqual(nowhere.body, { error: 'not_found', error_description: 'no route matches this GET request' });
  });

  it('rolls back a multi-row write that fails halfway', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const before = await countRows();
    // The group row is valid; the third role ID is unknown, so nothing may remain.
    const res = await admin.post(`/api/v1/organizations/${org}/groups`, {
      metadata: { name: 'half' },
      spec: { userIDs: [], serviceAccountIDs: [], roleIDs: ['7eb42771-3a0a-42d8-a021-ee812aeb826d', '00000000-0000-4000-8000-000000000000'] },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await countRows(), before);
  });
});
