import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createGroup, createOrganization, createServiceAccount, roleIds, serviceAccountWithRole } from './fixtures.ts';
import { createdMetadata, suite, uniqueName } from './helpers.ts';

const tokenFormat = /^tsr_sat_[0-9A-Za-z]{49}$/;

suite('service accounts', (ctx) => {
  it('creates with the token shown once, and never returns it again', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const group = await createGroup(admin, org);
    const name = uniqueName('ci');
    const before = Date.now();
    const created = await admin.post(`/api/v1/organizations/${org}/serviceaccounts`, { metadata: { name }, spec: { groupIDs: [group] } });
    assert.equal(created.status, 201);
    assert.match(created.body.status.accessToken, tokenFormat);
    const expiry = Date.parse(created.body.status.expiry);
    assert.ok(Math.abs(expiry - before - 90 * 86400_000) < 60_000, 'expires in 90 days');
    assert.deepEqual(created.body.metadata, createdMetadata(created.body, { name, organizationId: org }));
    assert.deepEqual(created.body.spec, { groupIDs: [group] });
    const id = created.body.metadata.id;
    const read = await admin.get(`/api/v1/organizations/${org}/serviceaccounts/${id}`);
    assert.deepEqual(read.body, { metadata: created.body.metadata, spec: { groupIDs: [group] }, status: { expiry: created.body.status.expiry } });
    const list = await admin.get(`/api/v1/organizations/${org}/serviceaccounts`);
    assert.deepEqual(list.body, [read.body]);
    const stored = await ctx().db.query<{ token_hash: string }>('SELECT token_hash FROM credentials WHERE service_account_id = $1', [id]);
    assert.notEqual(stored.rows[0].token_hash, created.body.status.accessToken);
    assert.ok(!JSON.stringify(stored.rows).includes(created.body.status.accessToken));
  });

  it('authenticates with its token; rotate and delete revoke at once', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const sa = await serviceAccountWithRole(ctx(), org, 'administrator');
    assert.equal((await sa.client.get(`/api/v1/organizations/${org}/groups`)).status, 200);
    const rotated = await admin.post(`/api/v1/organizations/${org}/serviceaccounts/${sa.id}/rotate`);
    assert.equal(rotated.status, 200);
    assert.match(rotated.body.status.accessToken, tokenFormat);
    assert.notEqual(rotated.body.status.accessToken, sa.token);
    const old = await sa.client.get(`/api/v1/organizations/${org}/groups`);
    assert.equal(old.status, 401);
    assert.deepEqual(old.body, { error: 'access_denied', error_description: 'the access token is not valid' });
    assert.equal(old.headers['www-authenticate'], 'Bearer realm="tessera", error="invalid_token"');
    const fresh = admin.as(rotated.body.status.accessToken);
    assert.equal((await fresh.get(`/api/v1/organizations/${org}/groups`)).status, 200);
    assert.equal((await admin.delete(`/api/v1/organizations/${org}/serviceaccounts/${sa.id}`)).status, 200);
    assert.equal((await fresh.get(`/api/v1/organizations/${org}/groups`)).status, 401);
    assert.equal((await admin.delete(`/api/v1/organizations/${org}/serviceaccounts/${sa.id}`)).status, 404);
  });

  it('lets a service account list, read and rotate itself, and nothing else of its kind', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const me = await serviceAccountWithRole(ctx(), org, null);
    const other = await createServiceAccount(admin, org);
    const list = await me.client.get(`/api/v1/organizations/${org}/serviceaccounts`);
    assert.deepEqual(
      list.body.map((s: any) => s.metadata.id),
      [me.id],
    );
    assert.equal((await me.client.get(`/api/v1/organizations/${org}/serviceaccounts/${me.id}`)).status, 200);
    assert.equal((await me.client.get(`/api/v1/organizations/${org}/serviceaccounts/${other.id}`)).status, 403);
    assert.equal((await me.client.post(`/api/v1/organizations/${org}/serviceaccounts/${other.id}/rotate`)).status, 403);
    const self = await me.client.post(`/api/v1/organizations/${org}/serviceaccounts/${me.id}/rotate`);
    assert.equal(self.status, 200);
    assert.equal((await admin.as(self.body.status.accessToken).get(`/api/v1/organizations/${org}/serviceaccounts`)).status, 200);
  });

  it('updates metadata and groups, refusing foreign groups and duplicate names', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const group = await createGroup(admin, org, { roleIDs: [roleIds.reader] });
    const a = await createServiceAccount(admin, org);
    const b = await createServiceAccount(admin, org);
    const name = uniqueName('renamed');
    const updated = await admin.put(`/api/v1/organizations/${org}/serviceaccounts/${a.id}`, { metadata: { name }, spec: { groupIDs: [group] } });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.metadata.name, name);
    assert.deepEqual(updated.body.spec, { groupIDs: [group] });
    assert.equal(updated.body.status.accessToken, undefined);
    const clash = await admin.put(`/api/v1/organizations/${org}/serviceaccounts/${b.id}`, { metadata: { name }, spec: { groupIDs: [] } });
    assert.deepEqual(clash.body, { error: 'conflict', error_description: 'a service account with this name already exists' });
  });

  it('refuses an expired token', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const sa = await serviceAccountWithRole(ctx(), org, 'reader');
    await ctx().db.query(`UPDATE credentials SET expires_at = now() - interval '1 second' WHERE service_account_id = $1`, [sa.id], { notes: true });
    const res = await sa.client.get('/api/v1/acl');
    assert.deepEqual(res.body, { error: 'access_denied', error_description: 'the access token has expired' });
  });
});
