import assert from 'node:assert/strict';
import { it } from 'node:test';
import { activate, createGroup, createOrganization, roleIds, sessionToken } from './fixtures.ts';
import { createdMetadata, suite, uniqueName } from './helpers.ts';

suite('users', (ctx) => {
  it('adds a user by email with 201, reads it, lists it, updates and removes it', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const group = await createGroup(admin, org, { roleIDs: [roleIds.reader] });
    const email = `${uniqueName('Jane.Doe')}@Example.com`;
    const created = await admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [group] } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body, {
      metadata: createdMetadata(created.body, { name: email.split('@')[0], organizationId: org }),
      spec: { subject: email, state: 'active', groupIDs: [group] },
      status: { signupLink: created.body.status.signupLink },
    });
    assert.match(created.body.status.signupLink, /^http:\/\/localhost:8080\/api\/v1\/signup\?token=tsr_sgn_[0-9A-Za-z]{49}$/);
    const id = created.body.metadata.id;
    const read = await admin.get(`/api/v1/organizations/${org}/users/${id}`);
    assert.deepEqual(read.body, { ...created.body, status: {} }, 'the activation link is shown once');
    assert.deepEqual((await admin.get(`/api/v1/organizations/${org}/groups/${group}`)).body.spec.userIDs, [id]);
    const dup = await admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email.toLowerCase(), state: 'active', groupIDs: [] } });
    assert.deepEqual(dup.body, { error: 'conflict', error_description: 'this user is already a member of the organization' });

    const updated = await admin.put(`/api/v1/organizations/${org}/users/${id}`, {
      metadata: { name: 'jane', description: 'Jane' },
      spec: { subject: email, state: 'suspended', groupIDs: [] },
    });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.spec, { subject: email, state: 'suspended', groupIDs: [] });
    assert.equal(updated.body.metadata.name, 'jane');
    assert.deepEqual((await admin.get(`/api/v1/organizations/${org}/groups/${group}`)).body.spec.userIDs, []);
    const changeSubject = await admin.put(`/api/v1/organizations/${org}/users/${id}`, {
      spec: { subject: 'other@example.com', state: 'active', groupIDs: [] },
    });
    assert.deepEqual(changeSubject.body, {
      error: 'invalid_request',
      error_description: 'spec.subject cannot be changed; delete the user and add the new address',
    });
    const list = await admin.get(`/api/v1/organizations/${org}/users`);
    assert.deepEqual(
      list.body.map((u: any) => u.metadata.id),
      [id],
    );
    const del = await admin.delete(`/api/v1/organizations/${org}/users/${id}`);
    assert.equal(del.status, 200);
    assert.equal((await admin.get(`/api/v1/organizations/${org}/users/${id}`)).status, 404);
  });

  it('shares one account between organizations and keeps memberships apart', async () => {
    const admin = ctx().admin;
    const a = await createOrganization(admin);
    const b = await createOrganization(admin);
    const email = `${uniqueName('shared')}@example.com`;
    const inA = await admin.post(`/api/v1/organizations/${a}/users`, { spec: { subject: email, state: 'active', groupIDs: [] } });
    const inB = await admin.post(`/api/v1/organizations/${b}/users`, { spec: { subject: email, state: 'pending', groupIDs: [] } });
    assert.equal(inA.status, 201);
    assert.equal(inB.status, 201);
    // Issue 7: the answer is the same whether or not the account existed.
    assert.deepEqual(Object.keys(inA.body.status), ['signupLink'], 'a new account gets an invitation link');
    assert.deepEqual(Object.keys(inB.body.status), ['signupLink'], 'so does an existing one');
    assert.notEqual(inA.body.metadata.id, inB.body.metadata.id);
    const accounts = await ctx().db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE lower(email) = lower($1)', [email]);
    assert.equal(accounts.rows[0].n, 1);
    assert.equal((await admin.get(`/api/v1/organizations/${b}/users/${inA.body.metadata.id}`)).status, 404);
  });

  it('refuses a group of another organization and writes nothing', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const other = await createOrganization(admin);
    const foreignGroup = await createGroup(admin, other);
    const email = `${uniqueName('x')}@example.com`;
    const res = await admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [foreignGroup] } });
    assert.deepEqual(res.body, { error: 'invalid_request', error_description: `spec.groupIDs names unknown IDs in this organization: ${foreignGroup}` });
    const accounts = await ctx().db.query('SELECT 1 FROM users WHERE email = $1', [email]);
    assert.equal(accounts.rowCount, 0, 'no account was created');
  });

  it("stops a suspended member's access to the organization at once", async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const group = await createGroup(admin, org, { roleIDs: [roleIds.administrator] });
    const email = `${uniqueName('s')}@example.com`;
    const created = await admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [group] } });
    await activate(ctx(), created.body.status.signupLink);
    const account = await ctx().db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
    const token = await sessionToken(ctx(), account.rows[0].id);
    const client = admin.as(token);
    assert.equal((await client.get(`/api/v1/organizations/${org}/groups`)).status, 200);
    await admin.put(`/api/v1/organizations/${org}/users/${created.body.metadata.id}`, { spec: { subject: email, state: 'suspended', groupIDs: [group] } });
    assert.equal((await client.get(`/api/v1/organizations/${org}/groups`)).status, 403);
    // A suspended account cannot use its tokens anywhere.
    await ctx().db.query(`UPDATE users SET state = 'suspended' WHERE id = $1`, [account.rows[0].id], { notes: true });
    const denied = await client.get('/api/v1/acl');
    assert.deepEqual(denied.body, { error: 'access_denied', error_description: 'the user is suspended' });
  });
});

suite('account activation', (ctx) => {
  it('starts accounts made through the API pending; the link activates once and expires', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const email = `${uniqueName('new')}@example.com`;
    const created = await admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [] } });
    const state = async () => (await ctx().db.query<{ state: string }>('SELECT state FROM users WHERE email = $1', [email])).rows[0].state;
    assert.equal(await state(), 'pending');
    const account = await ctx().db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
    const token = await sessionToken(ctx(), account.rows[0].id);
    assert.deepEqual((await admin.as(token).get('/api/v1/acl')).body, { error: 'access_denied', error_description: 'the user is pending' });
    const link = new URL(created.body.status.signupLink);
    const page = await ctx().anonymous.get(link.pathname + link.search);
    assert.equal(page.status, 200);
    assert.match(page.text, /Your account is active/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(await state(), 'active');
    assert.equal((await admin.as(token).get('/api/v1/acl')).status, 200);
    const again = await ctx().anonymous.get(link.pathname + link.search);
    assert.equal(again.status, 400, 'single use');
    assert.match(again.text, /already used or has expired/);

    const late = `${uniqueName('late')}@example.com`;
    const lateUser = await admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: late, state: 'active', groupIDs: [] } });
    await ctx().db.query(`UPDATE signup_tokens SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM users WHERE email = $1)`, [late]);
    const lateLink = new URL(lateUser.body.status.signupLink);
    assert.equal((await ctx().anonymous.get(lateLink.pathname + lateLink.search)).status, 400, 'expired');
    assert.equal((await ctx().anonymous.get('/api/v1/signup?token=tsr_sgn_forged')).status, 400);
    const oddClient = await ctx().anonymous.get(`/api/v1/signup?token=tsr_sgn_forged&clientID=${'-'.repeat(36)}`);
    assert.equal(oddClient.status, 400);
    assert.match(oddClient.text, /Link not valid/, 'a malformed clientID is no client, not a server error');
  });
});
