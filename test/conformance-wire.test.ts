/**
 * Issue 7, Identity API wire compatibility: what a client generated from the upstream spec,
 * and a read-modify-write tool, see.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createGroup, createOrganization, createProject, createServiceAccount } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';
import { conformsTo } from './support/upstream-spec.ts';
import { registerClient } from './support/world.ts';

suite('conformance findings: wire', (ctx) => {
  it('lists system providers as the spec reads them: metadata.organizationId is present (empty)', async (t) => {
    const admin = ctx().admin;
    const created = await admin.post('/api/v1/oauth2providers', {
      metadata: { name: uniqueName('idp') },
      spec: { issuer: 'https://idp.example', clientID: 'x', clientSecret: 's' },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.metadata.organizationId, '');
    const list = await admin.get('/api/v1/oauth2providers');
    assert.ok(list.body.length > 0);
    await conformsTo(t, undefined, 'oauth2Providers', list.body);
  });

  /** GETs `read`, changes the description, and PUTs the whole document back to `write`. */
  async function roundTrip(read: string, write = read, pick: (body: any) => any = (body) => body) {
    const admin = ctx().admin;
    const current = pick((await admin.get(read)).body);
    assert.ok(current?.metadata?.id, `${read} has a read form`);
    const description = uniqueName('changed');
    const put = await admin.put(write, { ...current, metadata: { ...current.metadata, description } });
    assert.equal(put.status, 200, `${write}: ${put.text}`);
    assert.equal(pick((await admin.get(read)).body).metadata.description, description, write);
    return current;
  }

  it('takes back every resource as it was read (read-modify-write), ignoring the fields the server owns', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const base = `/api/v1/organizations/${org}`;
    await roundTrip(base);
    const group = await createGroup(admin, org);
    await roundTrip(`${base}/groups/${group}`);
    const project = await createProject(admin, org);
    await roundTrip(`${base}/projects/${project}`);
    const account = await createServiceAccount(admin, org);
    await roundTrip(`${base}/serviceaccounts/${account.id}`);
    const user = await admin.post(`${base}/users`, { spec: { subject: `${uniqueName('u')}@example.com`, state: 'active', groupIDs: [] } });
    await roundTrip(`${base}/users/${user.body.metadata.id}`);
    const client = await registerClient(admin, { public: true });
    await roundTrip(`/api/v1/oauth2clients/${client.id}`);
    const provider = await admin.post(`${base}/oauth2providers`, {
      metadata: { name: uniqueName('idp') },
      spec: { issuer: 'https://idp.example', clientID: 'x' },
    });
    const providerId = provider.body.metadata.id;
    await roundTrip(`${base}/oauth2providers`, `${base}/oauth2providers/${providerId}`, (list) => list.find((p: any) => p.metadata.id === providerId));
    const allocation = await admin.post(`${base}/projects/${project}/allocations`, {
      metadata: { name: uniqueName('alloc') },
      spec: { kind: 'cluster', id: 'c1', allocations: [] },
    });
    assert.equal(allocation.status, 201, allocation.text);
    await roundTrip(`${base}/projects/${project}/allocations/${allocation.body.metadata.id}`);

    const quotas = await admin.get(`${base}/quotas`);
    const raised = { quotas: quotas.body.quotas.map((q: any) => ({ ...q, quantity: q.quantity + 1 })) };
    const put = await admin.put(`${base}/quotas`, raised);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(
      put.body.quotas.map((q: any) => q.quantity),
      quotas.body.quotas.map((q: any) => q.quantity + 1),
    );
  });

  it('refuses a read form whose IDs name another resource, and still refuses unknown fields, changing nothing', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const other = await createOrganization(admin);
    const group = await createGroup(admin, org);
    const path = `/api/v1/organizations/${org}/groups/${group}`;
    const current = (await admin.get(path)).body;
    const otherGroup = await createGroup(admin, org);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...current, metadata: { ...current.metadata, id: otherGroup, description: 'x' } }, 'metadata.id does not match the resource in the request path'],
      [
        { ...current, metadata: { ...current.metadata, organizationId: other, description: 'x' } },
        'metadata.organizationId does not match the resource in the request path',
      ],
      [{ ...current, metadata: { ...current.metadata, colour: 'red' } }, 'body.metadata has unknown field "colour"'],
      [{ ...current, extra: 1 }, 'body has unknown field "extra"'],
    ];
    for (const [body, message] of cases) {
      const res = await admin.put(path, body);
      assert.deepEqual([res.status, res.body], [400, { error: 'invalid_request', error_description: message }]);
    }
    assert.deepEqual((await admin.get(path)).body, current);
    const elsewhere = await admin.post(`/api/v1/organizations/${org}/projects`, {
      metadata: { name: uniqueName('p'), organizationId: other },
      spec: { groupIDs: [] },
    });
    assert.deepEqual([elsewhere.status, elsewhere.body.error_description], [400, 'metadata.organizationId does not match the resource in the request path']);
  });

  it('keeps tokenEndpointAuthMethod "none" for public clients only', async () => {
    const res = await ctx().admin.post('/api/v1/oauth2clients', {
      metadata: { name: uniqueName('c') },
      spec: { redirectURIs: ['https://app.example/cb'], tokenEndpointAuthMethod: 'none' },
    });
    assert.deepEqual(
      [res.status, res.body],
      [400, { error: 'invalid_request', error_description: 'spec.tokenEndpointAuthMethod is "none" exactly when spec.public is true' }],
    );
  });
});
