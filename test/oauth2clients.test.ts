import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KeyRing } from '../src/core/keys/service.ts';
import { TokenSigner } from '../src/tokens/jwt.ts';
import { createOrganization, userWithRole } from './fixtures.ts';
import { createdMetadata, suite, uniqueName } from './helpers.ts';

suite('OAuth clients API', (ctx) => {
  it('registers a confidential client, shows its secret once, and manages it', async () => {
    const admin = ctx().admin;
    const name = uniqueName('portal');
    const created = await admin.post('/api/v1/oauth2clients', {
      metadata: { name },
      spec: { redirectURIs: ['https://portal.example.com/cb', 'http://localhost:3000/cb'], homeURI: 'https://portal.example.com' },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.status.clientID;
    assert.match(created.body.status.clientSecret, /^tsr_cls_[0-9A-Za-z]{49}$/);
    assert.deepEqual(created.body, {
      metadata: createdMetadata(created.body, { name }),
      spec: {
        redirectURIs: ['https://portal.example.com/cb', 'http://localhost:3000/cb'],
        postLogoutRedirectURIs: [],
        public: false,
        tokenEndpointAuthMethod: 'client_secret_basic',
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'email', 'profile'],
        homeURI: 'https://portal.example.com',
        idTokenSignedResponseAlg: 'RS256',
      },
      status: { clientID: id, clientSecret: created.body.status.clientSecret },
    });
    const read = await admin.get(`/api/v1/oauth2clients/${id}`);
    assert.deepEqual(read.body, { ...created.body, status: { clientID: id } });
    const stored = await ctx().db.query<{ secret_hash: string }>('SELECT secret_hash FROM oauth_clients WHERE id = $1', [id]);
    assert.notEqual(stored.rows[0].secret_hash, created.body.status.clientSecret);
    const list = await admin.get('/api/v1/oauth2clients');
    assert.ok(list.body.some((c: any) => c.status.clientID === id));
    assert.ok(!list.text.includes('tsr_cls_'), 'secrets are never listed');
    const updated = await admin.put(`/api/v1/oauth2clients/${id}`, { metadata: { name }, spec: { redirectURIs: ['https://portal.example.com/callback'] } });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.spec.redirectURIs, ['https://portal.example.com/callback']);
    assert.equal(updated.body.status.clientSecret, undefined, 'the secret is kept, not reissued');
    assert.equal((await admin.delete(`/api/v1/oauth2clients/${id}`)).status, 200);
    assert.equal((await admin.get(`/api/v1/oauth2clients/${id}`)).status, 404);
  });

  it('validates redirect URIs, grant types and roles', async () => {
    const admin = ctx().admin;
    const post = (spec: Record<string, unknown>) => admin.post('/api/v1/oauth2clients', { metadata: { name: uniqueName('c') }, spec });
    const cases: [Record<string, unknown>, string][] = [
      [{ redirectURIs: ['https://app.example/cb#frag'] }, 'spec.redirectURIs: "https://app.example/cb#frag" must not have a fragment'],
      [{ redirectURIs: ['http://app.example/cb'] }, 'spec.redirectURIs: "http://app.example/cb" must use https (http only on loopback)'],
      [{ redirectURIs: [] }, 'spec.redirectURIs needs at least one URI for the authorization_code grant'],
      [{ redirectURIs: [], grantTypes: ['client_credentials'] }, 'spec.roleID is required with the client_credentials grant, and only with it'],
      [
        { redirectURIs: [], public: true, grantTypes: ['client_credentials'], roleID: '703a9e3a-063b-4b7a-ab46-440d2087e7e1' },
        'a public client cannot use client_credentials: it has no secret',
      ],
    ];
    for (const [spec, description] of cases) {
      const res = await post(spec);
      assert.deepEqual(res.body, { error: 'invalid_request', error_description: description });
    }
    const publicClient = await post({ redirectURIs: ['myapp://callback'], public: true });
    assert.equal(publicClient.status, 201);
    assert.equal(publicClient.body.status.clientSecret, undefined);
    assert.equal(publicClient.body.spec.tokenEndpointAuthMethod, 'none');
  });

  it('is for platform administrators only', async () => {
    const org = await createOrganization(ctx().admin);
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    const res = await orgAdmin.client.get('/api/v1/oauth2clients');
    assert.deepEqual(res.body, { error: 'forbidden', error_description: 'the caller lacks read permission on identity:oauth2clients at global scope' });
  });
});

suite('signing keys', (ctx) => {
  it('rotates: new tokens use the new key, the retired key stays published until its tokens expire', async () => {
    const { keyRing, signer } = ctx().built.core;
    const before = await signer.accessToken({ sub: 's', clientId: 'c', scope: '' });
    const oldKid = JSON.parse(Buffer.from(before.split('.')[0], 'base64url').toString()).kid;
    const newKid = (await keyRing.rotate()).ES256;
    assert.notEqual(newKid, oldKid);
    const after = await signer.accessToken({ sub: 's', clientId: 'c', scope: '' });
    assert.equal(JSON.parse(Buffer.from(after.split('.')[0], 'base64url').toString()).kid, newKid);
    const jwks = (await ctx().anonymous.get('/oauth2/v2/jwks')).body;
    const es256 = (keys: any[]) => keys.filter((k) => k.alg === 'ES256').map((k) => k.kid);
    assert.deepEqual(es256(jwks.keys), [newKid, oldKid]);
    // Another instance (no cached keys) verifies the old key's tokens while it is published...
    const { keys, config } = ctx().built.core;
    const otherInstance = () =>
      new TokenSigner(new KeyRing(ctx().db, keys.encryptionKey, { rotationAgeSeconds: 3600, maxTokenLifetimeSeconds: 3600 }), config.issuer, 3600);
    assert.equal((await otherInstance().verifyAccessToken(before)).sub, 's', 'tokens of the retired key still verify');
    await ctx().db.query(`UPDATE signing_keys SET published_until = now() - interval '1 second' WHERE kid = $1`, [oldKid], { notes: true });
    assert.deepEqual(es256((await ctx().anonymous.get('/oauth2/v2/jwks')).body.keys), [newKid]);
    // ...and no longer once it is withdrawn.
    await assert.rejects(otherInstance().verifyAccessToken(before));
    const stored = await ctx().db.query<{ private_jwk_ciphertext: string }>('SELECT private_jwk_ciphertext FROM signing_keys WHERE kid = $1', [newKid]);
    assert.ok(!stored.rows[0].private_jwk_ciphertext.includes('"d"'), 'private keys are stored encrypted');
  });

  it('lists and rotates through the API, for platform administrators only, audited as theirs', async () => {
    const listed = await ctx().admin.get('/api/v1/signingkeys');
    assert.equal(listed.status, 200);
    const current = listed.body
      .filter((k: any) => k.status === 'current')
      .map((k: any) => k.algorithm)
      .sort();
    assert.deepEqual(current, ['ES256', 'RS256']);
    const rotated = await ctx().admin.post('/api/v1/signingkeys/rotate');
    assert.equal(rotated.status, 200, rotated.text);
    assert.deepEqual(rotated.body.keys.map((k: any) => [k.algorithm, k.status]).sort(), [
      ['ES256', 'current'],
      ['RS256', 'current'],
    ]);
    const kids = rotated.body.keys.map((k: any) => k.kid);
    const jwks = (await ctx().anonymous.get('/oauth2/v2/jwks')).body.keys.map((k: any) => k.kid);
    for (const kid of kids) assert.ok(jwks.includes(kid), 'published at once');
    const after = (await ctx().admin.get('/api/v1/signingkeys')).body;
    for (const old of listed.body.filter((k: any) => k.status === 'current')) {
      const now = after.find((k: any) => k.kid === old.kid);
      assert.equal(now.status, 'retired', 'the previous keys are retired');
      assert.ok(Date.parse(now.publishedUntil) > Date.now(), 'and published until their tokens expire');
    }
    const audit = (await ctx().admin.get('/api/v1/auditlogs?action=signingkey.created&limit=1000')).body;
    for (const kid of kids) {
      const event = audit.find((e: any) => e.target.id === kid);
      assert.ok(event && event.actor.subject !== 'tessera', 'recorded with the administrator as actor');
    }
    const org = await createOrganization(ctx().admin);
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    assert.deepEqual((await orgAdmin.client.post('/api/v1/signingkeys/rotate')).body, {
      error: 'forbidden',
      error_description: 'the caller lacks create permission on identity:signingkeys at global scope',
    });
    assert.equal((await orgAdmin.client.get('/api/v1/signingkeys')).status, 403);
    assert.equal((await ctx().anonymous.post('/api/v1/signingkeys/rotate')).status, 401);
  });

  it('reads a key that is due for a check once for all the requests that want it then', async () => {
    const { keys, db } = { keys: ctx().built.core.keys, db: ctx().db };
    let transactions = 0;
    const counted: typeof db = Object.assign(Object.create(db), {
      transaction: <T>(work: () => Promise<T>) => {
        transactions++;
        return db.transaction(work);
      },
    });
    const ring = new KeyRing(counted, keys.encryptionKey, { rotationAgeSeconds: 3600, maxTokenLifetimeSeconds: 3600, refreshMs: 0 });
    const kids = new Set((await Promise.all(Array.from({ length: 20 }, () => ring.signingKey()))).map((key) => key.kid));
    assert.deepEqual([kids.size, transactions], [1, 1], 'twenty concurrent signatures, one read of the key ring');
    await ring.signingKey();
    assert.equal(transactions, 2, 'a later request reads it again once it is due');
  });

  it('rotates by age on the next signature', async () => {
    const { keys, db } = { keys: ctx().built.core.keys, db: ctx().db };
    const ring = new KeyRing(db, keys.encryptionKey, { rotationAgeSeconds: 3600, maxTokenLifetimeSeconds: 3600, refreshMs: 0 });
    const current = (await ring.signingKey()).kid;
    assert.equal((await ring.signingKey()).kid, current, 'a young key keeps signing');
    await db.query(`UPDATE signing_keys SET created_at = now() - interval '2 hours' WHERE kid = $1`, [current], { notes: true });
    const next = (await ring.signingKey()).kid;
    assert.notEqual(next, current);
    const retired = await db.query<{ retired: boolean }>('SELECT retired_at IS NOT NULL AS retired FROM signing_keys WHERE kid = $1', [current]);
    assert.equal(retired.rows[0].retired, true);
  });
});
