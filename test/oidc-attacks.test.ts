/** Attacks on the login and token endpoints, each refused. */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import * as client from 'openid-client';
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

suite(
  'OpenID Connect attacks',
  (ctx) => {
    let upstream: Upstream;
    let tamper: ((claims: Record<string, unknown>) => Record<string, unknown> | undefined) | undefined;
    let registered: { id: string; secret?: string };
    let rp: client.Configuration;

    before(async () => {
      upstream = await startUpstream(`${ctx().url}/oidc/callback`, { tamperIdToken: (claims) => tamper?.(claims) });
      await registerProvider(ctx().admin, upstream);
      registered = await registerClient(ctx().admin);
      rp = await relyingParty(ctx(), registered);
    });
    after(() => upstream?.close());

    async function member() {
      const login = uniqueName('m');
      upstream.users.set(login, { email: `${login}@example.com` });
      const world = await memberOf(ctx(), `${login}@example.com`);
      return { login, ...world };
    }

    /** A full login; returns what the client receives and the PKCE/state of the request. */
    async function signIn(login: string, extra: Record<string, string> = {}) {
      const start = await startAuthorization(rp, extra);
      const page = await loginThroughUpstream(new Agent(), start.url, login);
      return { page, start };
    }

    const authorizeUrl = (params: Record<string, string>) => `${ctx().url}/oauth2/v2/authorization?${new URLSearchParams(params)}`;
    const baseParams = async () => {
      const start = await startAuthorization(rp);
      return Object.fromEntries(start.url.searchParams);
    };

    it('never redirects to an unregistered or altered redirect_uri (no open redirect)', async () => {
      const params = await baseParams();
      for (const redirect of ['https://evil.example/cb', `${clientRedirect}/x`, `${clientRedirect}?x=1`, clientRedirect.toUpperCase(), '']) {
        const res = await fetch(authorizeUrl({ ...params, redirect_uri: redirect }), { redirect: 'manual' });
        assert.equal(res.status, 400, redirect);
        assert.equal(res.headers.get('location'), null);
        assert.match(await res.text(), /return address that is not registered/);
      }
      const unknownClient = await fetch(authorizeUrl({ ...params, client_id: '00000000-0000-4000-8000-000000000000' }), { redirect: 'manual' });
      assert.equal(unknownClient.status, 400);
    });

    it('refuses missing and plain PKCE, and unsupported response types, back at the client', async () => {
      const params = await baseParams();
      const cases: [Record<string, string | undefined>, string, string][] = [
        [{ code_challenge: undefined, code_challenge_method: undefined }, 'invalid_request', 'code_challenge is required (PKCE with S256)'],
        [{ code_challenge_method: 'plain' }, 'invalid_request', 'code_challenge_method must be "S256"'],
        [{ code_challenge_method: undefined }, 'invalid_request', 'code_challenge_method must be "S256"'],
        [{ response_type: 'token' }, 'unsupported_response_type', 'response_type must be "code"'],
        [{ scope: 'email' }, 'invalid_scope', 'scope must include "openid"'],
        [{ response_mode: 'fragment' }, 'invalid_request', 'response_mode must be "query"'],
      ];
      for (const [change, error, description] of cases) {
        const merged = Object.fromEntries(Object.entries({ ...params, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;
        const res = await fetch(authorizeUrl(merged), { redirect: 'manual' });
        assert.equal(res.status, 302);
        const location = new URL(res.headers.get('location')!);
        assert.equal(location.origin + location.pathname, clientRedirect);
        assert.deepEqual(
          { error: location.searchParams.get('error'), description: location.searchParams.get('error_description'), state: location.searchParams.get('state') },
          { error, description, state: params.state },
        );
      }
    });

    it('refuses a wrong code_verifier, a replayed code (revoking its tokens) and an expired code', async () => {
      const { login } = await member();
      const first = await signIn(login);
      const code = expectCode(first.page);
      await assert.rejects(
        client.authorizationCodeGrant(rp, code, {
          pkceCodeVerifier: client.randomPKCECodeVerifier(),
          expectedState: first.start.state,
          expectedNonce: first.start.nonce,
        }),
        (e: any) => e.error === 'invalid_grant' && e.error_description === 'code_verifier does not match the code challenge',
      );
      const second = await signIn(login);
      const code2 = expectCode(second.page);
      const tokens = await client.authorizationCodeGrant(rp, code2, {
        pkceCodeVerifier: second.start.verifier,
        expectedState: second.start.state,
        expectedNonce: second.start.nonce,
      });
      assert.equal((await client.tokenIntrospection(rp, tokens.access_token)).active, true);
      await assert.rejects(
        client.authorizationCodeGrant(rp, code2, {
          pkceCodeVerifier: second.start.verifier,
          expectedState: second.start.state,
          expectedNonce: second.start.nonce,
        }),
        (e: any) => e.error === 'invalid_grant' && /already used/.test(e.error_description),
      );
      assert.equal((await client.tokenIntrospection(rp, tokens.access_token)).active, false, 'the replay revoked the first tokens');
      await assert.rejects(client.refreshTokenGrant(rp, tokens.refresh_token!), (e: any) => e.error === 'invalid_grant');

      const third = await signIn(login);
      const code3 = expectCode(third.page);
      await ctx().db.query(`UPDATE authorization_codes SET expires_at = now() - interval '1 second' WHERE consumed_at IS NULL`);
      await assert.rejects(
        client.authorizationCodeGrant(rp, code3, {
          pkceCodeVerifier: third.start.verifier,
          expectedState: third.start.state,
          expectedNonce: third.start.nonce,
        }),
        (e: any) => e.error === 'invalid_grant' && e.error_description === 'the authorization code has expired',
      );
    });

    it('redeems a code once under 20 parallel attempts', async () => {
      const { login } = await member();
      const { page, start } = await signIn(login);
      const code = expectCode(page).searchParams.get('code')!;
      const attempts = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${ctx().url}/oauth2/v2/token`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              authorization: `Basic ${Buffer.from(`${registered.id}:${registered.secret}`).toString('base64')}`,
            },
            body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: clientRedirect, code_verifier: start.verifier }),
          }).then((r) => r.status),
        ),
      );
      assert.equal(attempts.filter((s) => s === 200).length, 1, attempts.join(','));
      assert.equal(attempts.filter((s) => s === 400).length, 19);
    });

    it('detects a refresh-token replay and revokes the whole family', async () => {
      const { login } = await member();
      const { page, start } = await signIn(login);
      const tokens = await client.authorizationCodeGrant(rp, expectCode(page), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const next = await client.refreshTokenGrant(rp, tokens.refresh_token!);
      await assert.rejects(
        client.refreshTokenGrant(rp, tokens.refresh_token!),
        (e: any) => e.error === 'invalid_grant' && /already used/.test(e.error_description),
      );
      await assert.rejects(client.refreshTokenGrant(rp, next.refresh_token!), (e: any) => e.error === 'invalid_grant', 'the newest token died with its family');
      assert.equal((await client.tokenIntrospection(rp, next.access_token)).active, false);
    });

    it('rotates a refresh token once under 20 parallel attempts, and takes the others for a replay', async () => {
      const { login } = await member();
      const { page, start } = await signIn(login);
      const tokens = await client.authorizationCodeGrant(rp, expectCode(page), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const attempts = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${ctx().url}/oauth2/v2/token`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              authorization: `Basic ${Buffer.from(`${registered.id}:${registered.secret}`).toString('base64')}`,
            },
            body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
          }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> })),
        ),
      );
      const rotated = attempts.filter((a) => a.status === 200);
      assert.equal(rotated.length, 1, attempts.map((a) => a.status).join(','));
      assert.ok(attempts.filter((a) => a.status === 400).every((a) => /already used/.test(a.body.error_description ?? '')));
      const { sid } = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as { sid: string };
      const family = await ctx().db.query<{ tokens: number; revoked: boolean }>(
        'SELECT count(*)::int AS tokens, bool_and(s.revoked_at IS NOT NULL) AS revoked FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.id = $1',
        [sid],
      );
      assert.deepEqual(family.rows[0], { tokens: 2, revoked: true }, 'one successor was stored, and the replays revoked its session');
      await assert.rejects(client.refreshTokenGrant(rp, rotated[0]!.body.refresh_token!), (e: any) => e.error === 'invalid_grant');
    });

    it('narrows the scope of a refreshed access token when asked, and never widens it', async () => {
      const { login } = await member();
      const { page, start } = await signIn(login);
      const tokens = await client.authorizationCodeGrant(rp, expectCode(page), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const narrowed = await client.refreshTokenGrant(rp, tokens.refresh_token!, { scope: 'openid  email' });
      assert.equal((await client.tokenIntrospection(rp, narrowed.access_token)).scope, 'openid email');
      await assert.rejects(client.refreshTokenGrant(rp, narrowed.refresh_token!, { scope: 'openid admin' }), (e: any) => e.error === 'invalid_scope');
      const again = await client.refreshTokenGrant(rp, narrowed.refresh_token!);
      assert.equal((await client.tokenIntrospection(rp, again.access_token)).scope, tokens.scope, 'the grant itself was not narrowed');
    });

    it('keeps a refresh token usable when its rotation is refused or fails half-way (nothing is written)', async () => {
      const { login } = await member();
      const { page, start } = await signIn(login);
      const tokens = await client.authorizationCodeGrant(rp, expectCode(page), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const presented = tokens.refresh_token!;
      await assert.rejects(
        client.refreshTokenGrant(rp, presented, { scope: 'openid profile email offline_access admin' }),
        (e: any) => e.error === 'invalid_scope',
      );
      // The successor cannot be written: the presented token must not be consumed either.
      await ctx().db.exec(`
      CREATE FUNCTION test_refuse_refresh_tokens() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
      CREATE TRIGGER test_refuse_refresh_tokens BEFORE INSERT ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION test_refuse_refresh_tokens();`);
      try {
        await assert.rejects(client.refreshTokenGrant(rp, presented));
      } finally {
        await ctx().db.exec('DROP TRIGGER test_refuse_refresh_tokens ON refresh_tokens; DROP FUNCTION test_refuse_refresh_tokens();');
      }
      const next = await client.refreshTokenGrant(rp, presented);
      assert.ok(next.refresh_token && next.refresh_token !== presented, 'the retry is a rotation, not a replay');
      assert.equal((await client.tokenIntrospection(rp, next.access_token)).active, true);
      await assert.rejects(client.refreshTokenGrant(rp, presented), (e: any) => e.error === 'invalid_grant' && /already used/.test(e.error_description));
    });

    it('refuses wrong client credentials with 401 invalid_client', async () => {
      const res = await fetch(`${ctx().url}/oauth2/v2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${registered.id}:tsr_cls_wrong`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: clientRedirect, code_verifier: 'x'.repeat(43) }),
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="tessera"');
      assert.deepEqual(await res.json(), { error: 'invalid_client', error_description: 'client authentication failed' });
      const post = await fetch(`${ctx().url}/oauth2/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'tsr_rft_x', client_id: registered.id, client_secret: registered.secret! }),
      });
      assert.deepEqual(await post.json(), { error: 'invalid_client', error_description: 'this client authenticates with client_secret_basic' });
      const unsupported = await fetch(`${ctx().url}/oauth2/v2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=password',
      });
      assert.deepEqual(await unsupported.json(), {
        error: 'unsupported_grant_type',
        error_description: 'grant_type is not one of authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:token-exchange',
      });
    });

    it('refuses a tampered or replayed state, a login form without its CSRF token or from another browser, and a callback in another browser', async () => {
      const { login } = await member();
      const start = await startAuthorization(rp);
      const agent = new Agent();
      const loginPage = await agent.follow(start.url.href, {}, clientRedirect);
      const tampered = await agent.submit(loginPage, 'name="provider"', { state: 'tsr_lgn_tampered' });
      assert.equal(tampered.status, 400);
      const noCsrf = await agent.submit(loginPage, 'name="provider"', { csrf: '' });
      assert.equal(noCsrf.status, 403);
      assert.match(noCsrf.body, /could not be verified/);
      // Another browser cannot use this browser's login form.
      const stranger = new Agent();
      const stolen = await stranger.submit(loginPage, 'name="provider"', {});
      assert.equal(stolen.status, 403);

      // Go upstream, capture the callback, and try it elsewhere and twice.
      const upstreamLogin = await agent.submit(loginPage, 'name="provider"', {});
      let callback = '';
      const done = await agent.submit(upstreamLogin, 'name="login"', { login, password: 'x' }, `${ctx().url}/oidc/callback`);
      callback = done.url;
      assert.ok(callback.startsWith(`${ctx().url}/oidc/callback`));
      const elsewhere = await stranger.follow(callback, {}, clientRedirect);
      assert.equal(elsewhere.status, 403, 'a callback is accepted only in the browser that started the login');
      // The state is single use: even the right browser cannot use it after that.
      const replay = await agent.follow(callback, {}, clientRedirect);
      assert.equal(replay.status, 400);
      assert.match(replay.body, /already used or has expired/);
    });

    for (const [what, change, reason] of [
      ['audience', (c: Record<string, unknown>) => ({ ...c, aud: 'someone-else' }), /"aud" \(audience\)/],
      ['issuer', (c: Record<string, unknown>) => ({ ...c, iss: 'https://evil.example' }), /"iss" \(issuer\)/],
      ['nonce', (c: Record<string, unknown>) => ({ ...c, nonce: 'replayed-nonce' }), /"nonce"/],
    ] as const) {
      it(`refuses an upstream ID token with the wrong ${what}`, async () => {
        const { login } = await member();
        tamper = change;
        try {
          const { page } = await signIn(login);
          const url = new URL(page.url);
          assert.equal(url.searchParams.get('error'), 'access_denied');
          assert.match(url.searchParams.get('error_description')!, reason);
        } finally {
          tamper = undefined;
        }
      });
    }

    it('refuses an unverified upstream email, an unknown user and a suspended user', async () => {
      const unverified = uniqueName('u');
      upstream.users.set(unverified, { email: `${unverified}@example.com`, emailVerified: false });
      await memberOf(ctx(), `${unverified}@example.com`);
      const a = new URL((await signIn(unverified)).page.url);
      assert.deepEqual(
        [a.searchParams.get('error'), a.searchParams.get('error_description')],
        ['access_denied', 'the identity provider has not verified this email address'],
      );

      const stranger = uniqueName('s');
      upstream.users.set(stranger, { email: `${stranger}@example.com` });
      const b = new URL((await signIn(stranger)).page.url);
      assert.deepEqual([b.searchParams.get('error'), b.searchParams.get('error_description')], ['access_denied', 'there is no account for this user']);

      const { login } = await member();
      await ctx().db.query(`UPDATE users SET state = 'suspended' WHERE email = $1`, [`${login}@example.com`], { notes: true });
      const c = new URL((await signIn(login)).page.url);
      assert.deepEqual([c.searchParams.get('error'), c.searchParams.get('error_description')], ['access_denied', 'the account is suspended']);
    });

    it('shows a page, not a server error, when an identity provider cannot be reached', async () => {
      const dead = await ctx().admin.post('/api/v1/oauth2providers', {
        metadata: { name: uniqueName('dead'), description: 'Unreachable IdP' },
        spec: { issuer: 'http://127.0.0.1:9/unreachable', clientID: 'x' },
      });
      const agent = new Agent();
      const loginPage = await agent.follow((await startAuthorization(rp)).url.href, {}, clientRedirect);
      const res = await agent.submit(loginPage, `value="${dead.body.metadata.id}"`, {});
      assert.equal(res.status, 502);
      assert.match(res.body, /cannot be reached right now/);
      await ctx().admin.delete(`/api/v1/oauth2providers/${dead.body.metadata.id}`);
    });

    it("stops a suspended user's tokens at once", async () => {
      const { login, org } = await member();
      const { page, start } = await signIn(login);
      const tokens = await client.authorizationCodeGrant(rp, expectCode(page), {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const call = () => fetch(`${ctx().url}/api/v1/organizations/${org}/groups`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal((await call()).status, 200);
      await ctx().db.query(`UPDATE users SET state = 'suspended' WHERE email = $1`, [`${login}@example.com`], { notes: true });
      assert.equal((await call()).status, 401);
      await assert.rejects(client.refreshTokenGrant(rp, tokens.refresh_token!), (e: any) => e.error === 'invalid_grant');
    });
  },
  {},
  { listen: true },
);
