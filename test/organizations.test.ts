import assert from 'node:assert/strict';
import { it } from 'node:test';
import { purgeDeleted } from '../src/deprovisioner.ts';
import { createOrganization, userWithRole } from './fixtures.ts';
import { createdMetadata, suite, uniqueName } from './helpers.ts';

const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

suite('organizations', (ctx) => {
  it('creates an organization with 202 and the full read shape', async () => {
    const name = uniqueName('acme');
    const res = await ctx().admin.post('/api/v1/organizations', {
      metadata: { name, description: 'Acme Corp', tags: [{ name: 'tier', value: 'gold' }] },
      spec: { organizationType: 'adhoc' },
    });
    assert.equal(res.status, 202);
    assert.match(res.body.metadata.creationTime, isoTime);
    assert.deepEqual(res.body, {
      metadata: createdMetadata(res.body, { name, description: 'Acme Corp', tags: [{ name: 'tier', value: 'gold' }] }),
      spec: { organizationType: 'adhoc' },
    });
    const get = await ctx().admin.get(`/api/v1/organizations/${res.body.metadata.id}`);
    assert.equal(get.status, 200);
    assert.deepEqual(get.body, res.body);
  });

  it('answers a duplicate name (case-insensitive) with 409 conflict', async () => {
    const name = uniqueName('dup');
    await createOrganization(ctx().admin, name);
    const res = await ctx().admin.post('/api/v1/organizations', { metadata: { name: name.toUpperCase() }, spec: { organizationType: 'adhoc' } });
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, { error: 'conflict', error_description: 'an organization with this name already exists' });
  });

  it('updates with 200 and an empty body, recording modifiedTime', async () => {
    const id = await createOrganization(ctx().admin);
    const name = uniqueName('renamed');
    const res = await ctx().admin.put(`/api/v1/organizations/${id}`, { metadata: { name }, spec: { organizationType: 'adhoc' } });
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    const get = await ctx().admin.get(`/api/v1/organizations/${id}`);
    assert.equal(get.body.metadata.name, name);
    assert.equal(get.body.metadata.modifiedBy, 'tessera:bootstrap');
    assert.match(get.body.metadata.modifiedTime, isoTime);
  });

  it('requires domain, provider scope and a matching provider for a domain organization', async () => {
    const admin = ctx().admin;
    const missing = await admin.post('/api/v1/organizations', { metadata: { name: uniqueName('d') }, spec: { organizationType: 'domain' } });
    assert.deepEqual(missing.body, { error: 'invalid_request', error_description: 'a domain organization needs domain, providerScope and providerID' });
    const provider = await admin.post('/api/v1/oauth2providers', {
      metadata: { name: uniqueName('idp') },
      spec: { issuer: 'https://idp.example.com', clientID: 'tessera', clientSecret: 's3cret' },
    });
    assert.equal(provider.status, 201);
    const domain = `${uniqueName('d')}.example.com`;
    const ok = await admin.post('/api/v1/organizations', {
      metadata: { name: uniqueName('d') },
      spec: { organizationType: 'domain', domain, providerScope: 'global', providerID: provider.body.metadata.id },
    });
    assert.equal(ok.status, 202, ok.text);
    assert.deepEqual(ok.body.spec, { organizationType: 'domain', domain, providerScope: 'global', providerID: provider.body.metadata.id });
    const taken = await admin.post('/api/v1/organizations', {
      metadata: { name: uniqueName('d') },
      spec: { organizationType: 'domain', domain: domain.toUpperCase(), providerScope: 'global', providerID: provider.body.metadata.id },
    });
    assert.deepEqual(taken.body, { error: 'conflict', error_description: 'another organization already uses this domain' });
    // The provider is in use: deleting it is refused.
    const del = await admin.delete(`/api/v1/oauth2providers/${provider.body.metadata.id}`);
    assert.deepEqual(del.body, { error: 'conflict', error_description: 'the provider is used by an organization for login' });
    const wrongScope = await admin.post('/api/v1/organizations', {
      metadata: { name: uniqueName('d') },
      spec: { organizationType: 'adhoc', domain: 'x.example.com' },
    });
    assert.deepEqual(wrongScope.body, { error: 'invalid_request', error_description: 'an adhoc organization takes no domain, providerScope or providerID' });
  });

  it('deletes with 202: the organization reads as deprovisioning, refuses writes, then is gone', async () => {
    const admin = ctx().admin;
    const id = await createOrganization(admin);
    const del = await admin.delete(`/api/v1/organizations/${id}`);
    assert.equal(del.status, 202);
    const during = await admin.get(`/api/v1/organizations/${id}`);
    assert.equal(during.body.metadata.provisioningStatus, 'deprovisioning');
    assert.match(during.body.metadata.deletionTime, isoTime);
    const write = await admin.post(`/api/v1/organizations/${id}/groups`, {
      metadata: { name: 'g' },
      spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [] },
    });
    assert.deepEqual(write.body, { error: 'conflict', error_description: 'the organization is being deleted' });
    assert.equal((await admin.delete(`/api/v1/organizations/${id}`)).status, 202, 'a repeated delete is accepted');
    await purgeDeleted(ctx().built.core);
    const after = await admin.get(`/api/v1/organizations/${id}`);
    assert.equal(after.status, 404);
    assert.deepEqual(after.body, { error: 'not_found', error_description: 'organization not found' });
  });

  it('lists all organizations for platform readers and only memberships for users', async () => {
    const admin = ctx().admin;
    const mine = await createOrganization(admin);
    const other = await createOrganization(admin);
    const all = await admin.get('/api/v1/organizations');
    const allIds = all.body.map((o: any) => o.metadata.id);
    assert.ok(allIds.includes(mine) && allIds.includes(other));
    const user = await userWithRole(ctx(), mine, 'reader');
    const list = await user.client.get('/api/v1/organizations');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((o: any) => o.metadata.id),
      [mine],
    );
    const self = await user.client.get(`/api/v1/organizations?email=${encodeURIComponent(user.email)}`);
    assert.deepEqual(
      self.body.map((o: any) => o.metadata.id),
      [mine],
    );
    const byAdmin = await admin.get(`/api/v1/organizations?email=${encodeURIComponent(user.email.toUpperCase())}`);
    assert.deepEqual(
      byAdmin.body.map((o: any) => o.metadata.id),
      [mine],
    );
    const snoop = await user.client.get('/api/v1/organizations?email=someone@example.com');
    assert.equal(snoop.status, 403);
    assert.equal(snoop.body.error, 'forbidden');
  });

  it('paginates with limit and a Link header, keeping arrays', async () => {
    const admin = ctx().admin;
    for (let i = 0; i < 3; i++) await createOrganization(admin, uniqueName('page'));
    const everything = (await admin.get('/api/v1/organizations')).body.map((o: any) => o.metadata.id);
    const seen: string[] = [];
    let url: string | undefined = '/api/v1/organizations?limit=2';
    while (url) {
      const page: any = await admin.get(url);
      assert.equal(page.status, 200);
      assert.ok(Array.isArray(page.body) && page.body.length <= 2);
      seen.push(...page.body.map((o: any) => o.metadata.id));
      const link = page.headers.link as string | undefined;
      url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
    }
    assert.deepEqual(seen, everything);
    const bad = await admin.get('/api/v1/organizations?limit=0');
    assert.deepEqual(bad.body, { error: 'invalid_request', error_description: 'querystring.limit must be between 1 and 1000' });
    const badCursor = await admin.get('/api/v1/organizations?cursor=nonsense');
    assert.equal(badCursor.status, 400);
  });

  it("only lets platform administrators change an organization's domain", async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    const provider = await orgAdmin.client.post(`/api/v1/organizations/${org}/oauth2providers`, {
      metadata: { name: 'corp-idp' },
      spec: { issuer: 'https://login.corp.example', clientID: 'c' },
    });
    assert.equal(provider.status, 201, provider.text);
    const body = {
      metadata: { name: uniqueName('claimed') },
      spec: { organizationType: 'domain', domain: `${uniqueName('corp')}.example`, providerScope: 'organization', providerID: provider.body.metadata.id },
    };
    const claim = await orgAdmin.client.put(`/api/v1/organizations/${org}`, body);
    assert.equal(claim.status, 403);
    assert.deepEqual(claim.body, {
      error: 'forbidden',
      error_description: "changing an organization's domain needs global update permission on identity:organizations",
    });
    assert.equal((await admin.put(`/api/v1/organizations/${org}`, body)).status, 200);
    // Renaming without touching the domain is the org administrator's to do.
    const rename = await orgAdmin.client.put(`/api/v1/organizations/${org}`, { ...body, metadata: { name: uniqueName('renamed') } });
    assert.equal(rename.status, 200, rename.text);
  });
});
