/** Builders of test worlds through the public API (and the credential service for users). */
import assert from 'node:assert/strict';
import { createSession } from '../src/core/sessions/store.ts';
import { type Client, type TestContext, uniqueName } from './support/client.ts';

export const roleIds = {
  'platform-administrator': '4fe59821-bc85-4d0e-a35b-f2535d1d5578',
  administrator: 'b510516f-d678-43c5-a78b-ce566aef1859',
  user: 'c3bbb41c-9845-4800-a7d3-660ffbbb371f',
  reader: '7eb42771-3a0a-42d8-a021-ee812aeb826d',
  auditor: '05a2baff-3116-4bdb-a587-1fd5b28d4be5',
} as const;

export type RoleName = keyof typeof roleIds;

export async function createOrganization(admin: Client, name = uniqueName('org')): Promise<string> {
  const response = await admin.post('/api/v1/organizations', { metadata: { name }, spec: { organizationType: 'adhoc' } });
  assert.equal(response.status, 202, response.text);
  return response.body.metadata.id;
}

export async function createGroup(admin: Client, org: string, spec: { roleIDs?: string[]; userIDs?: string[]; serviceAccountIDs?: string[] } = {}) {
  const response = await admin.post(`/api/v1/organizations/${org}/groups`, {
    metadata: { name: uniqueName('group') },
    spec: { roleIDs: spec.roleIDs ?? [], userIDs: spec.userIDs ?? [], serviceAccountIDs: spec.serviceAccountIDs ?? [] },
  });
  assert.equal(response.status, 201, response.text);
  return response.body.metadata.id as string;
}

export async function createServiceAccount(admin: Client, org: string, groupIDs: string[] = []) {
  const response = await admin.post(`/api/v1/organizations/${org}/serviceaccounts`, {
    metadata: { name: uniqueName('sa') },
    spec: { groupIDs },
  });
  assert.equal(response.status, 201, response.text);
  return { id: response.body.metadata.id as string, token: response.body.status.accessToken as string };
}

export async function createProject(admin: Client, org: string, groupIDs: string[] = []) {
  const response = await admin.post(`/api/v1/organizations/${org}/projects`, { metadata: { name: uniqueName('project') }, spec: { groupIDs } });
  assert.equal(response.status, 202, response.text);
  return response.body.metadata.id as string;
}

const fixtureClients = new WeakMap<object, string>();

/**
 * An access token for a user, as the login flow ends: a session at a client and a signed
 * access token bound to it (the flow itself is tested end to end in the oidc-* tests). The
 * session is made in the store, not by a login: tests need tokens of accounts that could not
 * log in (pending, then suspended) to check that their use is refused.
 */
export async function sessionToken(ctx: TestContext, userId: string): Promise<string> {
  let clientId = fixtureClients.get(ctx.built);
  if (!clientId) {
    const created = await ctx.admin.post('/api/v1/oauth2clients', {
      metadata: { name: uniqueName('fixture') },
      spec: { redirectURIs: ['https://app.example/cb'] },
    });
    clientId = created.body.status.clientID as string;
    fixtureClients.set(ctx.built, clientId);
  }
  const sessionId = await createSession(ctx.db, { userId, clientId, scope: 'openid email', authTime: new Date(), ttlSeconds: 3600, single: false });
  return ctx.built.core.signer.accessToken({ sub: userId, clientId, scope: 'openid email', sessionId });
}

/** Follows an account's activation link, as the invited person would. */
export async function activate(ctx: TestContext, signupLink: string) {
  const url = new URL(signupLink);
  const res = await ctx.anonymous.get(url.pathname + url.search);
  assert.equal(res.status, 200, res.text);
}

/** A member of `org` holding `role` through a group, with a session token. */
export async function userWithRole(ctx: TestContext, org: string, role: RoleName | null, projectIds: string[] = []) {
  const email = `${uniqueName('user')}@example.com`;
  const created = await ctx.admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [] } });
  assert.equal(created.status, 201, created.text);
  const membershipId = created.body.metadata.id as string;
  await activate(ctx, created.body.status.signupLink);
  if (role) {
    const group = await createGroup(ctx.admin, org, { roleIDs: [roleIds[role]], userIDs: [membershipId] });
    for (const project of projectIds) {
      const current = await ctx.admin.get(`/api/v1/organizations/${org}/projects/${project}`);
      const put = await ctx.admin.put(`/api/v1/organizations/${org}/projects/${project}`, {
        metadata: { name: current.body.metadata.name },
        spec: { groupIDs: [...current.body.spec.groupIDs, group] },
      });
      assert.equal(put.status, 200, put.text);
    }
  }
  const account = await ctx.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
  const token = await sessionToken(ctx, account.rows[0].id);
  return { email, membershipId, userId: account.rows[0].id, client: ctx.admin.as(token) };
}

/** A service account of `org` holding `role` through a group. */
export async function serviceAccountWithRole(ctx: TestContext, org: string, role: RoleName | null) {
  const sa = await createServiceAccount(ctx.admin, org);
  if (role) await createGroup(ctx.admin, org, { roleIDs: [roleIds[role]], serviceAccountIDs: [sa.id] });
  return { ...sa, client: ctx.admin.as(sa.token) };
}
