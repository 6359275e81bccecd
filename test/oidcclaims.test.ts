/**
 * Custom claims of workload identity tokens (issue 10, part 1): the native API and the
 * CircleCI face (checked against CircleCI's OpenAPI file), partial PATCH, resets, the
 * fallback from project to organization to default, bounds and tenancy.
 */
import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import { createOrganization, createProject, userWithRole } from './fixtures.ts';
import { suite } from './helpers.ts';
import { conformsTo } from './support/upstream-spec.ts';

const conforms = (t: TestContext, value: unknown) => conformsTo(t, 'circleci-v2-oidc-token-management.openapi.json', 'ClaimResponse', value);

suite('OIDC custom claims', (ctx) => {
  it('answers an uncustomized scope with the IDs only, patches partially, and resets claim by claim (CircleCI face)', async (t) => {
    const org = await createOrganization(ctx().admin);
    const path = `/api/v2/org/${org}/oidc-custom-claims`;
    const circle = (method: string, url: string, body?: unknown) => ctx().anonymous.request(method, url, body, { 'circle-token': ctx().admin.token! });
    const empty = await circle('GET', path);
    assert.deepEqual([empty.status, empty.body], [200, { org_id: org }]);
    await conforms(t, empty.body);
    const patched = await circle('PATCH', path, { audience: ['sts.amazonaws.com'], ttl: '90m' });
    assert.equal(patched.status, 200, patched.text);
    await conforms(t, patched.body);
    assert.deepEqual([patched.body.audience, patched.body.ttl], [['sts.amazonaws.com'], '1h30m0s']);
    const ttlOnly = await circle('PATCH', path, { ttl: '3h' });
    assert.deepEqual([ttlOnly.body.audience, ttlOnly.body.ttl], [['sts.amazonaws.com'], '3h0m0s'], 'an omitted claim is left alone');
    const emptied = await circle('PATCH', path, { audience: [] });
    assert.deepEqual(emptied.body.audience, [], 'an empty audience is a value');
    const reset = await circle('DELETE', `${path}?claims=audience`);
    assert.equal(reset.status, 200);
    await conforms(t, reset.body);
    assert.deepEqual([reset.body.audience, reset.body.ttl, typeof reset.body.audience_updated_at], [undefined, '3h0m0s', 'string'], 'the stamp stays');
    const blank = await circle('DELETE', path);
    assert.deepEqual([blank.status, blank.body], [400, { error: 'Claims: cannot be blank.' }]);
    for (const [body, message] of [
      [{ ttl: '1.5h' }, 'body.ttl is not valid: a duration such as 1h, 30m or 1h30m'],
      [{ ttl: '30s' }, 'ttl must be from 1m0s to 24h0m0s'],
      [{ ttl: '2d' }, 'ttl must be from 1m0s to 24h0m0s'],
      [{ audience: Array.from({ length: 11 }, (_, i) => `a${i}`) }, 'body.audience must NOT have more than 10 items'],
      [{ audience: ['x'.repeat(256)] }, 'body.audience.0 must NOT have more than 255 characters'],
    ] as const) {
      const res = await circle('PATCH', path, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(res.body.error.startsWith(message), res.body.error);
    }
    assert.equal((await circle('GET', path)).body.ttl, '3h0m0s', 'bad input changed nothing');
  });

  it('takes a PATCH without a body as a no-op that answers the claims, refuses a null body, and names Circle-Token when none is sent', async () => {
    const org = await createOrganization(ctx().admin);
    const project = await createProject(ctx().admin, org);
    for (const path of [`/api/v2/org/${org}/oidc-custom-claims`, `/api/v2/org/${org}/project/${project}/oidc-custom-claims`]) {
      const circle = (method: string, body?: unknown, headers: Record<string, string> = {}) =>
        ctx().anonymous.request(method, path, body, { 'circle-token': ctx().admin.token!, ...headers });
      const set = await circle('PATCH', { audience: ['sts.amazonaws.com'] });
      const before = await ctx().admin.get(`/api/v1/organizations/${org}/auditlogs?action=oidcclaims.updated&limit=100`);
      const none = await circle('PATCH');
      assert.deepEqual([none.status, none.body], [200, set.body], `${path}: no body`);
      const emptyJson = await circle('PATCH', '', { 'content-type': 'application/json' });
      assert.deepEqual([emptyJson.status, emptyJson.body], [200, set.body], `${path}: an empty JSON body`);
      const after = await ctx().admin.get(`/api/v1/organizations/${org}/auditlogs?action=oidcclaims.updated&limit=100`);
      assert.equal(after.body.length, before.body.length, 'nothing changed, nothing audited');
      for (const wrong of ['null', '[]', '42']) {
        const refused = await circle('PATCH', wrong, { 'content-type': 'application/json' });
        assert.equal(refused.status, 400, `${path}: ${wrong}`);
      }
    }
    const anonymous = await ctx().anonymous.request('GET', `/api/v2/org/${org}/oidc-custom-claims`);
    assert.deepEqual([anonymous.status, anonymous.body], [401, { error: 'an access token is required: send Circle-Token: <token>' }]);
  });

  it('resolves each claim from the project, else the organization, else the default', async (t) => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const project = await createProject(admin, org);
    const { oidcClaims } = ctx().built.core;
    assert.deepEqual(await oidcClaims.resolve(org, project), { audience: [org], ttlMs: 3_600_000 });
    await admin.request('PATCH', `/api/v1/organizations/${org}/oidcclaims`, { audience: ['vault'], ttl: '2h' });
    await admin.request('PATCH', `/api/v1/organizations/${org}/projects/${project}/oidcclaims`, { ttl: '10m' });
    assert.deepEqual(await oidcClaims.resolve(org, project), { audience: ['vault'], ttlMs: 600_000 });
    const read = await admin.get(`/api/v1/organizations/${org}/projects/${project}/oidcclaims`);
    assert.deepEqual([read.body.organizationId, read.body.projectId, read.body.ttl, read.body.audience], [org, project, '10m0s', undefined]);
    const circle = await ctx().anonymous.request('GET', `/api/v2/org/${org}/project/${project}/oidc-custom-claims`, undefined, {
      authorization: `Basic ${Buffer.from(`${admin.token}:`).toString('base64')}`,
    });
    await conforms(t, circle.body);
    assert.deepEqual([circle.body.project_id, circle.body.ttl], [project, '10m0s'], 'HTTP Basic with the token as user name');
    const viaQuery = await ctx().anonymous.get(`/api/v2/org/${org}/oidc-custom-claims?circle-token=${admin.token}`);
    assert.equal(viaQuery.body.ttl, '2h0m0s', 'the deprecated query parameter');
    await admin.request('DELETE', `/api/v1/organizations/${org}/oidcclaims?claims=audience,ttl`);
    assert.deepEqual(await oidcClaims.resolve(org, project), { audience: [org], ttlMs: 600_000 });
  });

  it('keeps organizations apart and lets only administrators change claims', async () => {
    const a = await createOrganization(ctx().admin);
    const b = await createOrganization(ctx().admin);
    const bAdmin = await userWithRole(ctx(), b, 'administrator');
    const aReader = await userWithRole(ctx(), a, 'auditor');
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await ctx().anonymous.request(method, `/api/v2/org/${a}/oidc-custom-claims?claims=ttl`, method === 'PATCH' ? { ttl: '1h' } : undefined, {
        authorization: `Bearer ${bAdmin.client.token}`,
      });
      assert.deepEqual([res.status, res.body], [403, { error: 'Forbidden' }], method);
    }
    assert.equal((await aReader.client.get(`/api/v1/organizations/${a}/oidcclaims`)).status, 200, 'auditors read');
    assert.equal((await aReader.client.request('PATCH', `/api/v1/organizations/${a}/oidcclaims`, { ttl: '1h' })).status, 403);
    const missing = await ctx().admin.get(`/api/v1/organizations/${a}/projects/00000000-0000-4000-8000-000000000000/oidcclaims`);
    assert.equal(missing.status, 404);
    const none = await ctx().anonymous.get(`/api/v2/org/${a}/oidc-custom-claims`);
    assert.equal(none.status, 401);
  });
});
