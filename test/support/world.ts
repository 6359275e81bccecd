/** A federated-login world: Tessera on loopback, an upstream provider, a client and a member. */
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { activate, createGroup, createOrganization, roleIds } from '../fixtures.ts';
import { Agent } from './agent.ts';
import { type Client, type TestContext, uniqueName } from './client.ts';
import { startUpstream, type Upstream } from './upstream.ts';

export const clientRedirect = 'http://127.0.0.1:9/cb';
export const postLogoutRedirect = 'http://127.0.0.1:9/bye';

export async function registerClient(admin: Client, spec: Record<string, unknown> = {}) {
  const res = await admin.post('/api/v1/oauth2clients', {
    metadata: { name: uniqueName('app'), description: 'Test App' },
    spec: { redirectURIs: [clientRedirect], postLogoutRedirectURIs: [postLogoutRedirect], ...spec },
  });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.status.clientID as string, secret: res.body.status.clientSecret as string | undefined };
}

export async function registerProvider(admin: Client, upstream: Upstream, extra: Record<string, unknown> = {}) {
  const res = await admin.post('/api/v1/oauth2providers', {
    metadata: { name: uniqueName('idp'), description: 'Test IdP' },
    spec: { issuer: upstream.issuer, clientID: upstream.clientId, clientSecret: upstream.clientSecret, ...extra },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.metadata.id as string;
}

/** Discovery against Tessera, as any relying party would do it. */
export async function relyingParty(ctx: TestContext & { url: string }, registered: { id: string; secret?: string }) {
  return client.discovery(new URL(ctx.url), registered.id, registered.secret, registered.secret ? client.ClientSecretBasic(registered.secret) : client.None(), {
    execute: [client.allowInsecureRequests],
  });
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function startAuthorization(rp: client.Configuration, extra: Record<string, string> = {}): Promise<AuthorizationStart> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(rp, {
    redirect_uri: clientRedirect,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Drives login through Tessera's page and the upstream's page; returns the final redirect. */
export async function loginThroughUpstream(agent: Agent, start: URL, login: string, choice: { provider?: string; email?: string } = {}) {
  const page = await agent.follow(start.href, {}, clientRedirect);
  if (page.url.startsWith(clientRedirect)) return page; // single sign-on answered at once
  assert.equal(page.status, 200, page.body);
  const upstreamPage = choice.email
    ? await agent.submit(page, 'name="email"', { email: choice.email }, clientRedirect)
    : await agent.submit(page, choice.provider ? `value="${choice.provider}"` : 'name="provider"', {}, clientRedirect);
  if (upstreamPage.url.startsWith(clientRedirect) || !upstreamPage.body.includes('name="login"')) return upstreamPage;
  return agent.submit(upstreamPage, 'name="login"', { login, password: 'any' }, clientRedirect);
}

/** The code of a successful authorization response (fails the test with the error otherwise). */
export function expectCode(page: { url: string; body: string }): URL {
  assert.ok(page.url.startsWith(clientRedirect), `did not return to the client: ${page.url}\n${page.body.slice(0, 500)}`);
  const url = new URL(page.url);
  assert.equal(url.searchParams.get('error'), null, `${url.searchParams.get('error')}: ${url.searchParams.get('error_description')}`);
  return url;
}

/** An organization with a member (by email) in the administrator group, activated. */
export async function memberOf(ctx: TestContext, email: string) {
  const org = await createOrganization(ctx.admin);
  const group = await createGroup(ctx.admin, org, { roleIDs: [roleIds.administrator] });
  const created = await ctx.admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [group] } });
  assert.equal(created.status, 201, created.text);
  if (created.body.status.signupLink) await activate(ctx, created.body.status.signupLink);
  return { org, membershipId: created.body.metadata.id as string };
}

export { Agent, startUpstream };
