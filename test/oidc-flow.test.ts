/**
 * The whole OpenID Connect flow with real parts: openid-client as the relying party,
 * Tessera on loopback, and oidc-provider as the upstream identity provider.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
  postLogoutRedirect,
  registerClient,
  registerProvider,
  relyingParty,
  startAuthorization,
  startUpstream,
} from './support/world.ts';

suite(
  'OpenID Connect provider',
  (ctx) => {
    let upstream: Upstream;
    before(async () => {
      upstream = await startUpstream(`${ctx().url}/oidc/callback`);
      await registerProvider(ctx().admin, upstream);
    });
    after(() => upstream?.close());

    it('serves discovery and JWKS that a relying party accepts', async () => {
      const registered = await registerClient(ctx().admin);
      const rp = await relyingParty(ctx(), registered);
      const metadata = rp.serverMetadata();
      assert.equal(metadata.issuer, ctx().url);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(metadata.response_types_supported, ['code']);
      assert.equal(metadata.end_session_endpoint, `${ctx().url}/oauth2/v2/logout`);
      const discovery = await (await fetch(`${ctx().url}/.well-known/openid-configuration`)).json();
      const u = ctx().url;
      assert.deepEqual(discovery, {
        issuer: u,
        authorization_endpoint: `${u}/oauth2/v2/authorization`,
        token_endpoint: `${u}/oauth2/v2/token`,
        userinfo_endpoint: `${u}/oauth2/v2/userinfo`,
        jwks_uri: `${u}/oauth2/v2/jwks`,
        introspection_endpoint: `${u}/oauth2/v2/introspect`,
        revocation_endpoint: `${u}/oauth2/v2/revoke`,
        end_session_endpoint: `${u}/oauth2/v2/logout`,
        scopes_supported: ['openid', 'email', 'profile'],
        claims_supported: ['aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'],
        response_types_supported: ['code'],
        response_modes_supported: ['query'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        subject_types_supported: ['public'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        id_token_signing_alg_values_supported: ['ES256', 'RS256'],
        code_challenge_methods_supported: ['S256'],
        prompt_values_supported: ['none', 'login', 'select_account'],
        authorization_response_iss_parameter_supported: true,
        claims_parameter_supported: false,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
      });
      const jwks = await (await fetch(`${ctx().url}/oauth2/v2/jwks`)).json();
      // One current key per algorithm (issue 7: RS256 beside ES256).
      assert.deepEqual(jwks.keys.map((k: any) => k.alg).sort(), ['ES256', 'RS256']);
      assert.deepEqual(Object.keys(jwks.keys.find((k: any) => k.alg === 'ES256')).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      assert.deepEqual(Object.keys(jwks.keys.find((k: any) => k.alg === 'RS256')).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    });

    it('is described field by field, value by value, in docs/compat.md, and nothing more', async () => {
      const discovery: Record<string, unknown> = await (await fetch(`${ctx().url}/.well-known/openid-configuration`)).json();
      const doc = readFileSync(new URL('../docs/compat.md', import.meta.url), 'utf8');
      const start = doc.indexOf('- **Discovery**');
      const paragraph = doc.slice(start, doc.indexOf('\n- **', start + 1));
      const quoted = new Set([...paragraph.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
      for (const [field, value] of Object.entries(discovery)) {
        assert.ok(quoted.has(field), `the paragraph names ${field}`);
        const values = Array.isArray(value) ? value : typeof value === 'boolean' ? [value] : [];
        for (const v of values) assert.ok(quoted.has(String(v)), `the paragraph lists ${field}: ${v}`);
      }
      const fields = [...quoted].filter((q) => /^[a-z_]+_(supported|endpoint)$|^jwks_uri$|^issuer$/.test(q));
      assert.deepEqual(
        fields.filter((f) => !(f in discovery)),
        [],
        'every field the paragraph names is in the document',
      );
    });

    it('logs a member in: code with PKCE, validated ID token, API call, userinfo, refresh, introspection, revocation, logout', async () => {
      const login = uniqueName('jane');
      const email = `${login}@example.com`;
      upstream.users.set(login, { email, name: 'Jane Doe', givenName: 'Jane', familyName: 'Doe' });
      const { org } = await memberOf(ctx(), email);
      const registered = await registerClient(ctx().admin);
      const rp = await relyingParty(ctx(), registered);
      const start = await startAuthorization(rp);
      const agent = new Agent();
      const back = expectCode(await loginThroughUpstream(agent, start.url, login));
      assert.equal(back.searchParams.get('iss'), ctx().url);

      const tokens = await client.authorizationCodeGrant(rp, back, {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const claims = tokens.claims()!;
      const account = await ctx().db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]);
      assert.equal(claims.sub, account.rows[0].id, 'sub is the stable user ID, not the email');
      assert.equal(claims.email, email);
      assert.equal(claims.email_verified, true);
      assert.equal(claims.name, 'Jane Doe');
      assert.equal(claims.azp, registered.id);
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(claims.at_hash);
      assert.equal(tokens.token_type, 'bearer');
      assert.ok(tokens.refresh_token?.startsWith('tsr_rft_'));
      const [header, payload] = tokens.access_token
        .split('.')
        .slice(0, 2)
        .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
      assert.equal(header.typ, 'at+jwt');
      assert.equal(header.alg, 'ES256');
      assert.deepEqual(Object.keys(payload).sort(), ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sid', 'sub']);

      const api = await fetch(`${ctx().url}/api/v1/organizations/${org}/groups`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(api.status, 200, 'the access token works on the API with the user ACL');
      const userinfo = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
      assert.deepEqual(userinfo, { sub: claims.sub, email, email_verified: true, name: 'Jane Doe', given_name: 'Jane', family_name: 'Doe' });

      const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
      assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh tokens rotate');
      const introspected = await client.tokenIntrospection(rp, refreshed.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.client_id, registered.id);
      assert.equal(introspected.sub, claims.sub);
      assert.equal(introspected.username, email);
      assert.equal((await client.tokenIntrospection(rp, tokens.refresh_token!)).active, false, 'a used refresh token is inactive');

      await client.tokenRevocation(rp, refreshed.refresh_token!);
      assert.equal((await client.tokenIntrospection(rp, refreshed.access_token)).active, false, 'revoking ends the whole grant');
      const revokedCall = await fetch(`${ctx().url}/api/v1/organizations/${org}/groups`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
      assert.equal(revokedCall.status, 401);

      // Single sign-on: a new authorization in the same browser needs no login.
      const again = await startAuthorization(rp);
      const silent = await agent.follow(again.url.href, {}, clientRedirect);
      assert.ok(silent.url.startsWith(clientRedirect) && new URL(silent.url).searchParams.get('code'));
      const second = await client.authorizationCodeGrant(rp, new URL(silent.url), {
        pkceCodeVerifier: again.verifier,
        expectedState: again.state,
        expectedNonce: again.nonce,
      });

      // RP-initiated logout ends the session and returns to a registered URI.
      const logout = client.buildEndSessionUrl(rp, { id_token_hint: second.id_token!, post_logout_redirect_uri: postLogoutRedirect, state: 'bye' });
      const out = await agent.follow(logout.href, {}, postLogoutRedirect);
      assert.equal(out.url, `${postLogoutRedirect}?state=bye`);
      assert.equal(agent.cookie(ctx().url, 'tessera_session'), undefined, 'the single-sign-on cookie is cleared');
      assert.equal((await client.tokenIntrospection(rp, second.access_token)).active, false);
      const none = await startAuthorization(rp, { prompt: 'none' });
      const refused = await agent.follow(none.url.href, {}, clientRedirect);
      assert.equal(new URL(refused.url).searchParams.get('error'), 'login_required');
    });

    it("issues client_credentials tokens carrying the client role's global grants, revoked when the client goes", async () => {
      const admin = ctx().admin;
      const registered = await registerClient(admin, {
        redirectURIs: [],
        grantTypes: ['client_credentials'],
        roleID: '703a9e3a-063b-4b7a-ab46-440d2087e7e1', // infra-manager-service
      });
      const rp = await relyingParty(ctx(), registered);
      const tokens = await client.clientCredentialsGrant(rp);
      assert.equal(tokens.refresh_token, undefined);
      const acl = await (await fetch(`${ctx().url}/api/v1/acl`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
      assert.deepEqual(
        acl.global.find((e: any) => e.name === 'identity:allocations'),
        { name: 'identity:allocations', operations: ['create', 'read', 'update', 'delete'] },
      );
      assert.equal((await admin.delete(`/api/v1/oauth2clients/${registered.id}`)).status, 200);
      const gone = await fetch(`${ctx().url}/api/v1/acl`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(gone.status, 401);
    });

    it('supports public clients with PKCE and no secret', async () => {
      const login = uniqueName('pub');
      upstream.users.set(login, { email: `${login}@example.com` });
      await memberOf(ctx(), `${login}@example.com`);
      const registered = await registerClient(ctx().admin, { public: true });
      assert.equal(registered.secret, undefined);
      const rp = await relyingParty(ctx(), registered);
      const start = await startAuthorization(rp);
      const back = expectCode(await loginThroughUpstream(new Agent(), start.url, login));
      const tokens = await client.authorizationCodeGrant(rp, back, {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      assert.ok(tokens.access_token);
    });
  },
  {},
  { listen: true },
);
