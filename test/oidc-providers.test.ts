/**
 * Upstream provider types, domain-routed login and onboarding, end to end.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import * as client from 'openid-client';
import { createOrganization } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';
import { startGitHub } from './support/github.ts';
import type { Upstream } from './support/upstream.ts';
import {
  Agent,
  clientRedirect,
  expectCode,
  loginThroughUpstream,
  memberOf,
  registerClient,
  registerProvider,
  relyingParty,
  startAuthorization,
  startUpstream,
} from './support/world.ts';

suite(
  'upstream provider types',
  (ctx) => {
    const upstreams: { close(): Promise<void> }[] = [];
    let rp: client.Configuration;
    before(async () => {
      rp = await relyingParty(ctx(), await registerClient(ctx().admin));
    });
    after(() => Promise.all(upstreams.map((u) => u.close())));

    async function signIn(provider: string, login: string) {
      const start = await startAuthorization(rp);
      const page = await loginThroughUpstream(new Agent(), start.url, login, { provider });
      return { page, start };
    }

    it('google: OpenID Connect through discovery, email_verified required', async () => {
      const google = await startUpstream(`${ctx().url}/oidc/callback`);
      upstreams.push(google);
      const providerId = await registerProvider(ctx().admin, google, { type: 'google' });
      const login = uniqueName('g');
      google.users.set(login, { email: `${login}@gmail.example`, name: 'G User' });
      await memberOf(ctx(), `${login}@gmail.example`);
      const { page, start } = await signIn(providerId, login);
      const tokens = await client.authorizationCodeGrant(rp, expectCode(page), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      assert.equal(tokens.claims()!.email, `${login}@gmail.example`);
      const link = await ctx().db.query('SELECT issuer, subject FROM user_identities WHERE email = $1', [`${login}@gmail.example`]);
      assert.deepEqual(link.rows, [{ issuer: google.issuer, subject: login }], 'linked by issuer and subject');
    });

    it('microsoft: a verified email is marked by xms_edov', async () => {
      let edov = true;
      const microsoft = await startUpstream(`${ctx().url}/oidc/callback`, { extraClaims: () => ({ xms_edov: edov }) });
      upstreams.push(microsoft);
      const providerId = await registerProvider(ctx().admin, microsoft, { type: 'microsoft' });
      const login = uniqueName('ms');
      microsoft.users.set(login, { email: `${login}@contoso.example`, emailVerified: null });
      await memberOf(ctx(), `${login}@contoso.example`);
      expectCode((await signIn(providerId, login)).page);
      edov = false;
      const refused = new URL((await signIn(providerId, login)).page.url);
      assert.equal(refused.searchParams.get('error_description'), 'the identity provider has not verified this email address');
    });

    it('github: OAuth 2.0 with the primary verified email from the API', async () => {
      const github = await startGitHub('gh-client', 'gh-secret');
      upstreams.push(github);
      const created = await ctx().admin.post('/api/v1/oauth2providers', {
        metadata: { name: uniqueName('github') },
        spec: { type: 'github', issuer: github.issuer, clientID: 'gh-client', clientSecret: 'gh-secret' },
      });
      const providerId = created.body.metadata.id;
      const email = `${uniqueName('octo')}@users.example`;
      await memberOf(ctx(), email);
      github.signInAs({
        id: 583231,
        login: 'octocat',
        name: 'The Octocat',
        emails: [
          { email: 'old@users.example', primary: false, verified: true },
          { email, primary: true, verified: true },
        ],
      });
      const { page, start } = await signIn(providerId, 'octocat');
      const tokens = await client.authorizationCodeGrant(rp, expectCode(page), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      assert.equal(tokens.claims()!.email, email);
      assert.equal(tokens.claims()!.name, 'The Octocat');
      const link = await ctx().db.query('SELECT issuer, subject FROM user_identities WHERE email = $1', [email]);
      assert.deepEqual(link.rows, [{ issuer: github.issuer, subject: '583231' }]);
      github.signInAs({ id: 1, login: 'unverified', name: 'U', emails: [{ email, primary: true, verified: false }] });
      const refused = new URL((await signIn(providerId, 'unverified')).page.url);
      assert.equal(refused.searchParams.get('error_description'), 'the identity provider has not verified this email address');
    });

    it('routes an email to the provider of the organization that owns its domain', async () => {
      const corp = await startUpstream(`${ctx().url}/oidc/callback`);
      upstreams.push(corp);
      const admin = ctx().admin;
      const org = await createOrganization(admin);
      const provider = await admin.post(`/api/v1/organizations/${org}/oauth2providers`, {
        metadata: { name: 'corp-sso' },
        spec: { issuer: corp.issuer, clientID: corp.clientId, clientSecret: corp.clientSecret },
      });
      const domain = `${uniqueName('corp')}.example`;
      const put = await admin.put(`/api/v1/organizations/${org}`, {
        metadata: { name: uniqueName('corp') },
        spec: { organizationType: 'domain', domain, providerScope: 'organization', providerID: provider.body.metadata.id },
      });
      assert.equal(put.status, 200, put.text);
      const login = uniqueName('emp');
      corp.users.set(login, { email: `${login}@${domain}` });
      const group = await admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: `${login}@${domain}`, state: 'active', groupIDs: [] } });
      const link = new URL(group.body.status.signupLink);
      await fetch(`${ctx().url}${link.pathname}${link.search}`);
      const start = await startAuthorization(rp);
      const page = await loginThroughUpstream(new Agent(), start.url, login, { email: `${login}@${domain}` });
      const tokens = await client.authorizationCodeGrant(rp, expectCode(page), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      assert.equal(tokens.claims()!.email, `${login}@${domain}`);
      const identity = await ctx().db.query('SELECT issuer FROM user_identities WHERE email = $1', [`${login}@${domain}`]);
      assert.deepEqual(identity.rows, [{ issuer: corp.issuer }], "the login went to the organization's own provider");

      // The organization's provider cannot vouch for an address outside the organization's
      // domain: that would let one tenant's administrator take over another tenant's user.
      const victim = `${uniqueName('victim')}@elsewhere.example`;
      await memberOf(ctx(), victim);
      const attacker = uniqueName('attacker');
      corp.users.set(attacker, { email: victim });
      const takeover = await startAuthorization(rp);
      const refused = new URL((await loginThroughUpstream(new Agent(), takeover.url, attacker, { email: `${attacker}@${domain}` })).url);
      assert.equal(refused.searchParams.get('error'), 'access_denied');
      assert.equal(refused.searchParams.get('error_description'), `this organization's identity provider may only sign in ${domain} addresses`);

      const agent = new Agent();
      const loginPage = await agent.follow((await startAuthorization(rp)).url.href, {}, clientRedirect);
      const unknown = await agent.submit(loginPage, 'name="email"', { email: 'someone@unclaimed.example' });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body, /No organization signs in with unclaimed\.example addresses here/);
    });
  },
  {},
  { listen: true },
);

suite(
  'onboarding',
  (ctx) => {
    let upstream: Upstream;
    let rp: client.Configuration;
    before(async () => {
      upstream = await startUpstream(`${ctx().url}/oidc/callback`);
      await registerProvider(ctx().admin, upstream);
      rp = await relyingParty(ctx(), await registerClient(ctx().admin));
    });
    after(() => upstream?.close());

    it('lets a verified newcomer create an organization, a group and their membership', async () => {
      const login = uniqueName('founder');
      upstream.users.set(login, { email: `${login}@startup.example` });
      const start = await startAuthorization(rp);
      const agent = new Agent();
      const onboardingPage = await loginThroughUpstream(agent, start.url, login);
      assert.equal(onboardingPage.status, 200);
      assert.match(onboardingPage.body, /Create your organization/);
      const bad = await agent.submit(onboardingPage, 'name="organization_name"', { organization_name: '-bad name-', group_name: 'admins' });
      assert.equal(bad.status, 400);
      assert.match(bad.body, /Names are 1 to 63 letters/);
      const orgName = uniqueName('startup');
      const done = await agent.submit(bad, 'name="organization_name"', { organization_name: orgName, group_name: 'admins' }, clientRedirect);
      const tokens = await client.authorizationCodeGrant(rp, expectCode(done), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const orgs = await (await fetch(`${ctx().url}/api/v1/organizations`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
      assert.deepEqual(
        orgs.map((o: any) => o.metadata.name),
        [orgName],
      );
      const groups = await fetch(`${ctx().url}/api/v1/organizations/${orgs[0].metadata.id}/groups`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      assert.equal(groups.status, 200, 'the founder administers the new organization');
      assert.equal((await groups.json())[0].metadata.name, 'admins');
    });
  },
  { TESSERA_ONBOARDING: 'true' },
  { listen: true },
);
