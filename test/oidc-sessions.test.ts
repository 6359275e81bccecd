/** Sessions per client, client-rendered login pages, and the POST forms of the endpoints. */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import * as client from 'openid-client';
import { purgeExpired } from '../src/deprovisioner.ts';
import { suite, uniqueName } from './helpers.ts';
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

function sessionsSuite(mode: 'single' | 'multiple') {
  suite(
    `sessions per client: ${mode}`,
    (ctx) => {
      let upstream: Upstream;
      before(async () => {
        upstream = await startUpstream(`${ctx().url}/oidc/callback`);
        await registerProvider(ctx().admin, upstream);
      });
      after(() => upstream?.close());

      it(mode === 'single' ? 'a second login at the same client ends the first session' : 'logins on two devices keep both sessions', async () => {
        const login = uniqueName('dev');
        upstream.users.set(login, { email: `${login}@example.com` });
        await memberOf(ctx(), `${login}@example.com`);
        const rp = await relyingParty(ctx(), await registerClient(ctx().admin));
        const tokens = [];
        for (const device of [new Agent(), new Agent()]) {
          const start = await startAuthorization(rp);
          const back = expectCode(await loginThroughUpstream(device, start.url, login));
          tokens.push(
            await client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce }),
          );
        }
        const active = await Promise.all(tokens.map(async (t) => (await client.tokenIntrospection(rp, t.access_token)).active));
        assert.deepEqual(active, mode === 'single' ? [false, true] : [true, true]);
      });
    },
    { TESSERA_SESSIONS_PER_CLIENT: mode },
    { listen: true },
  );
}
sessionsSuite('single');
sessionsSuite('multiple');

suite(
  'client-rendered login and form posts',
  (ctx) => {
    let upstream: Upstream;
    before(async () => {
      upstream = await startUpstream(`${ctx().url}/oidc/callback`);
      await registerProvider(ctx().admin, upstream);
    });
    after(() => upstream?.close());

    it("sends the browser to the client's loginURI, which posts the choice back", async () => {
      const login = uniqueName('ext');
      upstream.users.set(login, { email: `${login}@example.com` });
      await memberOf(ctx(), `${login}@example.com`);
      const registered = await registerClient(ctx().admin, { loginURI: 'http://127.0.0.1:9/login' });
      const rp = await relyingParty(ctx(), registered);
      const start = await startAuthorization(rp);
      const agent = new Agent();
      const atClient = await agent.follow(start.url.href, {}, 'http://127.0.0.1:9/login');
      const loginUri = new URL(atClient.url);
      assert.equal(loginUri.searchParams.get('callback'), `${ctx().url}/oauth2/v2/login`);
      assert.match(loginUri.searchParams.get('state')!, /^tsr_lgn_/);
      // The client's own page posts the user's choice (here: the generic provider's ID).
      const providers = (await ctx().admin.get('/api/v1/oauth2providers')).body;
      const upstreamPage = await agent.follow(
        loginUri.searchParams.get('callback')!,
        {
          form: { state: loginUri.searchParams.get('state')!, provider: providers[0].metadata.id },
        },
        clientRedirect,
      );
      const back = expectCode(await agent.submit(upstreamPage, 'name="login"', { login, password: 'x' }, clientRedirect));
      const tokens = await client.authorizationCodeGrant(rp, back, {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      // POST forms of authorization's sibling endpoints work too (RFC 6750 §2.2 for userinfo).
      const userinfo = await fetch(`${ctx().url}/oauth2/v2/userinfo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: tokens.access_token }),
      });
      assert.equal((await userinfo.json()).email, `${login}@example.com`);
    });

    it('accepts the authorization request as a form POST, and honours prompt=login and max_age', async () => {
      const login = uniqueName('post');
      upstream.users.set(login, { email: `${login}@example.com` });
      await memberOf(ctx(), `${login}@example.com`);
      const rp = await relyingParty(ctx(), await registerClient(ctx().admin));
      const agent = new Agent();
      const start = await startAuthorization(rp);
      const page = await agent.follow(`${ctx().url}/oauth2/v2/authorization`, { form: Object.fromEntries(start.url.searchParams) }, clientRedirect);
      assert.match(page.body, /Sign in/);
      const back = expectCode(await agent.submit(await agent.submit(page, 'name="provider"', {}), 'name="login"', { login, password: 'x' }, clientRedirect));
      assert.ok(back.searchParams.get('code'));
      // With a session, max_age=0 and prompt=login both demand a fresh login.
      for (const extra of [{ max_age: '0' }, { prompt: 'login' }] as Record<string, string>[]) {
        const again = await startAuthorization(rp, extra);
        const shown = await agent.follow(again.url.href, {}, clientRedirect);
        assert.match(shown.body, /<h1>Sign in<\/h1>/, JSON.stringify(extra));
      }
      const silent = await startAuthorization(rp, { max_age: '3600' });
      assert.ok(expectCode(await agent.follow(silent.url.href, {}, clientRedirect)).searchParams.get('code'));
    });

    it('purges login state that can no longer be used', async () => {
      const db = ctx().db;
      const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM login_requests')).rows[0].n;
      const before = await count();
      assert.ok(before > 0);
      await db.query(`UPDATE login_requests SET expires_at = now() - interval '2 hours'`);
      await db.query(`UPDATE authorization_codes SET expires_at = now() - interval '2 hours'`);
      assert.ok((await purgeExpired(ctx().built.core)) >= before);
      assert.equal(await count(), 0);
      assert.equal((await db.query('SELECT 1 FROM authorization_codes')).rowCount, 0);
    });
  },
  {},
  { listen: true },
);
