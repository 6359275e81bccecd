import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decrypt, deriveKeys } from '../src/tokens/server-secret.ts';
import { createOrganization, userWithRole } from './fixtures.ts';
import { createdMetadata, suite, testSecret, uniqueName } from './helpers.ts';

suite('oauth2 providers', (ctx) => {
  it('manages system providers as platform administrator; client secrets are write-only and encrypted', async () => {
    const admin = ctx().admin;
    const name = uniqueName('google');
    const created = await admin.post('/api/v1/oauth2providers', {
      metadata: { name },
      spec: { type: 'google', issuer: 'https://accounts.google.com', clientID: 'abc.apps.googleusercontent.com', clientSecret: 'top-secret' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, {
      metadata: createdMetadata(created.body, { name, organizationId: '' }),
      spec: { type: 'google', issuer: 'https://accounts.google.com', clientID: 'abc.apps.googleusercontent.com' },
    });
    const id = created.body.metadata.id;
    const row = await ctx().db.query<{ client_secret_ciphertext: string }>('SELECT client_secret_ciphertext FROM oauth2_providers WHERE id = $1', [id]);
    assert.ok(!row.rows[0].client_secret_ciphertext.includes('top-secret'));
    const { encryptionKey } = deriveKeys(testSecret);
    assert.equal(decrypt(encryptionKey, row.rows[0].client_secret_ciphertext, `oauth2provider:${id}`), 'top-secret');

    // Updating without a secret keeps it.
    const put = await admin.put(`/api/v1/oauth2providers/${id}`, {
      metadata: { name },
      spec: { type: 'google', issuer: 'https://accounts.google.com', clientID: 'new-id' },
    });
    assert.equal(put.status, 200);
    const kept = await ctx().db.query<{ client_secret_ciphertext: string }>('SELECT client_secret_ciphertext FROM oauth2_providers WHERE id = $1', [id]);
    assert.equal(decrypt(encryptionKey, kept.rows[0].client_secret_ciphertext, `oauth2provider:${id}`), 'top-secret');

    const org = await createOrganization(admin);
    const member = await userWithRole(ctx(), org, 'reader');
    const visible = await member.client.get('/api/v1/oauth2providers');
    assert.equal(visible.status, 200);
    const mine = visible.body.find((p: any) => p.metadata.id === id);
    assert.deepEqual(mine.spec, { type: 'google', issuer: 'https://accounts.google.com', clientID: 'new-id' });
    assert.ok(!visible.text.includes('secret'));
    const denied = await member.client.post('/api/v1/oauth2providers', {
      metadata: { name: uniqueName('x') },
      spec: { issuer: 'https://x.example', clientID: 'x' },
    });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.body, { error: 'forbidden', error_description: 'the caller lacks create permission on identity:oauth2providers at global scope' });
    assert.equal((await admin.delete(`/api/v1/oauth2providers/${id}`)).status, 200);
    assert.equal((await admin.delete(`/api/v1/oauth2providers/${id}`)).status, 404);
  });

  it('manages organization providers, kept apart from system ones', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    const created = await orgAdmin.client.post(`/api/v1/organizations/${org}/oauth2providers`, {
      metadata: { name: 'okta' },
      spec: { issuer: 'https://corp.okta.com', clientID: 'client', clientSecret: 'shh' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.spec, { issuer: 'https://corp.okta.com', clientID: 'client' });
    assert.equal(created.body.metadata.organizationId, org);
    const id = created.body.metadata.id;
    const list = await orgAdmin.client.get(`/api/v1/organizations/${org}/oauth2providers`);
    assert.deepEqual(list.body, [created.body]);
    const system = await admin.get('/api/v1/oauth2providers');
    assert.ok(!system.body.some((p: any) => p.metadata.id === id), 'not a system provider');
    assert.equal(
      (await admin.put(`/api/v1/oauth2providers/${id}`, { metadata: { name: 'okta' }, spec: { issuer: 'https://x.example', clientID: 'c' } })).status,
      404,
    );
    const dup = await orgAdmin.client.post(`/api/v1/organizations/${org}/oauth2providers`, {
      metadata: { name: 'OKTA' },
      spec: { issuer: 'https://x.example', clientID: 'c' },
    });
    assert.deepEqual(dup.body, { error: 'conflict', error_description: 'a provider with this name already exists' });
    const put = await orgAdmin.client.put(`/api/v1/organizations/${org}/oauth2providers/${id}`, {
      metadata: { name: 'okta' },
      spec: { issuer: 'https://corp2.okta.com', clientID: 'client' },
    });
    assert.equal(put.status, 200);
    assert.equal((await orgAdmin.client.delete(`/api/v1/organizations/${org}/oauth2providers/${id}`)).status, 200);
    assert.deepEqual((await orgAdmin.client.get(`/api/v1/organizations/${org}/oauth2providers`)).body, []);
  });
});
