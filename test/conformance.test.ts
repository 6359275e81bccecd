/**
 * Findings of the outside review (issue 7), each with the test that failed before its fix.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import * as client from 'openid-client';
import { createOrganization, userWithRole } from './fixtures.ts';
import { suite, type TestContext, uniqueName } from './helpers.ts';
import { clientRedirect, registerClient } from './support/world.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

suite('conformance findings', (ctx) => {
  it('refuses to revoke a token issued to another client (RFC 7009 §2.1), which stays valid', async () => {
    const org = await createOrganization(ctx().admin);
    const user = await userWithRole(ctx(), org, 'reader');
    const other = await registerClient(ctx().admin);
    const res = await ctx().anonymous.request('POST', '/oauth2/v2/revoke', `token=${user.client.token}`, {
      ...form,
      authorization: basic(other.id, other.secret!),
    });
    assert.deepEqual([res.status, res.body], [400, { error: 'unauthorized_client', error_description: 'the token was not issued to this client' }]);
    assert.equal((await user.client.get('/api/v1/acl')).status, 200);
  });

  it('answers badly encoded HTTP Basic client credentials with invalid_client, not a server error', async () => {
    for (const path of ['/oauth2/v2/token', '/oauth2/v2/introspect', '/oauth2/v2/revoke']) {
      const res = await ctx().anonymous.request('POST', path, 'grant_type=client_credentials&token=x', { ...form, authorization: basic('%E0%A4%A', 'x') });
      assert.deepEqual([res.status, res.body], [401, { error: 'invalid_client', error_description: 'malformed Basic credentials' }], path);
    }
  });

  it('asks for response_type when it is missing (invalid_request), back at the client', async () => {
    const registered = await registerClient(ctx().admin);
    const params = new URLSearchParams({
      client_id: registered.id,
      redirect_uri: 'http://127.0.0.1:9/cb',
      scope: 'openid',
      state: 's',
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'S256',
    });
    const res = await ctx().anonymous.get(`/oauth2/v2/authorization?${params}`);
    assert.equal(res.status, 302);
    const location = new URL(String(res.headers.location));
    assert.deepEqual([location.searchParams.get('error'), location.searchParams.get('error_description')], ['invalid_request', 'response_type is required']);
  });

  it('registers only https, loopback http and private-use redirect URIs, and refuses bad ports with 400', async () => {
    const register = (uri: string) => ctx().admin.post('/api/v1/oauth2clients', { metadata: { name: uniqueName('c') }, spec: { redirectURIs: [uri] } });
    for (const uri of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'ftp://files.example/cb']) {
      const res = await register(uri);
      assert.deepEqual([res.status, res.body.error], [400, 'invalid_request'], uri);
      assert.match(res.body.error_description, /must use https, http on loopback, or a private-use scheme/, uri);
    }
    const port = await register('https://app.example:99999/cb');
    assert.deepEqual(
      [port.status, port.body],
      [400, { error: 'invalid_request', error_description: 'spec.redirectURIs: "https://app.example:99999/cb" is not a valid URL' }],
    );
    for (const uri of ['https://app.example/cb', 'http://127.0.0.1:8000/cb', 'com.example.app:/oauth2redirect']) {
      assert.equal((await register(uri)).status, 201, uri);
    }
  });
});

suite('conformance findings: tokens', (ctx) => {
  it('puts no empty scope in client_credentials tokens or their introspection', async () => {
    const system = await registerClient(ctx().admin, { redirectURIs: [], grantTypes: ['client_credentials'], roleID: '703a9e3a-063b-4b7a-ab46-440d2087e7e1' });
    const issued = await ctx().anonymous.request('POST', '/oauth2/v2/token', 'grant_type=client_credentials', {
      ...form,
      authorization: basic(system.id, system.secret!),
    });
    assert.equal(issued.status, 200);
    assert.equal('scope' in issued.body, false);
    const claims = JSON.parse(Buffer.from(issued.body.access_token.split('.')[1], 'base64url').toString('utf8'));
    assert.equal('scope' in claims, false);
    const introspected = await ctx().anonymous.request('POST', '/oauth2/v2/introspect', `token=${issued.body.access_token}`, {
      ...form,
      authorization: basic(system.id, system.secret!),
    });
    assert.deepEqual([introspected.body.active, 'scope' in introspected.body], [true, false]);
  });

  it('lets a client use only the grants it is registered for (RFC 6749 §5.2 unauthorized_client)', async () => {
    const web = await registerClient(ctx().admin, { redirectURIs: ['https://app.example/cb'] });
    const refused = await ctx().anonymous.request('POST', '/oauth2/v2/token', 'grant_type=client_credentials', {
      ...form,
      authorization: basic(web.id, web.secret!),
    });
    assert.deepEqual([refused.status, refused.body], [400, { error: 'unauthorized_client', error_description: 'this client may not use client_credentials' }]);
    const unknown = await ctx().anonymous.request('POST', '/oauth2/v2/token', 'grant_type=password&username=a&password=b', {
      ...form,
      authorization: basic(web.id, web.secret!),
    });
    assert.equal(unknown.body.error, 'unsupported_grant_type');
    assert.match(
      unknown.body.error_description,
      /^grant_type is not one of authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:token-exchange$/,
    );
  });
});

suite('conformance findings: bad input', (ctx) => {
  it('answers userinfo without a valid token with invalid_token (RFC 6750 §3.1)', async () => {
    const res = await ctx().anonymous.request('GET', '/oauth2/v2/userinfo', undefined, { authorization: 'Bearer not-a-token' });
    assert.deepEqual([res.status, res.body.error], [401, 'invalid_token']);
    assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
  });

  it('takes form bodies only at the token, introspection and revocation endpoints (RFC 6749 §3.2), and documents it', async () => {
    for (const path of ['/oauth2/v2/token', '/oauth2/v2/introspect', '/oauth2/v2/revoke']) {
      const res = await ctx().anonymous.post(path, { grant_type: 'client_credentials', token: 'x' });
      assert.deepEqual(
        [res.status, res.body],
        [400, { error: 'invalid_request', error_description: 'the request body must be application/x-www-form-urlencoded (RFC 6749 §3.2)' }],
        path,
      );
      const doc = (await ctx().anonymous.get('/openapi.json')).body;
      assert.deepEqual(Object.keys(doc.paths[path].post.requestBody.content), ['application/x-www-form-urlencoded'], path);
    }
  });

  it('refuses NUL characters in text with 400, writing nothing', async () => {
    const org = await createOrganization(ctx().admin);
    const name = uniqueName('g');
    const res = await ctx().admin.post(`/api/v1/organizations/${org}/groups`, {
      metadata: { name, description: 'a\u0000b' },
      spec: { roleIDs: [], userIDs: [], serviceAccountIDs: [] },
    });
    assert.deepEqual([res.status, res.body.error], [400, 'invalid_request']);
    assert.deepEqual((await ctx().admin.get(`/api/v1/organizations/${org}/groups`)).body, []);
    const cursor = await ctx().admin.get(`/api/v1/organizations?limit=1&cursor=${Buffer.from(JSON.stringify(['a\u0000', 'b'])).toString('base64url')}`);
    assert.deepEqual([cursor.status, cursor.body.error], [400, 'invalid_request']);
  });
});

let logged = '';
let failingDb: () => TestContext;
suite(
  'conformance findings: logs',
  (ctx) => {
    it('logs a failed request with the database error code, never its SQL or parameters', async () => {
      failingDb = ctx;
      const org = await createOrganization(ctx().admin);
      const res = await ctx().admin.post(`/api/v1/organizations/${org}/groups`, {
        metadata: { name: uniqueName('g') },
        spec: { roleIDs: [], userIDs: [], serviceAccountIDs: [] },
      });
      assert.deepEqual(res.body, { error: 'server_error', error_description: 'an internal error occurred; it has been logged' });
      const line = logged.split('\n').find((l) => l.includes('request failed')) ?? '';
      assert.match(line, /"code":"42P01"/);
      assert.doesNotMatch(line, /secret-parameter|missing_audit_table/);
    });
  },
  {},
  {
    app: {
      // An audit sink whose table is missing: a database fault inside a request.
      events: {
        record: async (event) => {
          if (event.type === 'group.created') await failingDb().db.query('INSERT INTO missing_audit_table VALUES ($1)', ['secret-parameter']);
        },
      },
      logger: {
        level: 'error',
        stream: {
          write: (line: string) => {
            logged += line;
          },
        },
      },
    },
  },
);

suite('conformance findings: scopes', (ctx) => {
  it('ignores unknown scopes and accepts offline_access, granting what the client may have', async () => {
    const registered = await registerClient(ctx().admin, { scopes: ['openid', 'email'] });
    const authorize = (scope: string) =>
      ctx().anonymous.get(
        `/oauth2/v2/authorization?${new URLSearchParams({
          client_id: registered.id,
          redirect_uri: 'http://127.0.0.1:9/cb',
          response_type: 'code',
          scope,
          state: 's',
          code_challenge: 'a'.repeat(43),
          code_challenge_method: 'S256',
        })}`,
      );
    const page = await authorize('openid email offline_access https://unknown.example/scope');
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /Sign in/);
    const refused = new URL(String((await authorize('openid profile')).headers.location));
    assert.deepEqual(
      [refused.searchParams.get('error'), refused.searchParams.get('error_description')],
      ['invalid_scope', 'scope not allowed for this client: profile'],
    );
  });
});

suite('conformance findings: codes and refresh tokens are checked before they are consumed', (ctx) => {
  const verifier = 'v'.repeat(43);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirect = 'http://127.0.0.1:9/cb';

  async function codeFor(clientId: string) {
    const org = await createOrganization(ctx().admin);
    const user = await userWithRole(ctx(), org, 'reader');
    const request = { clientId, redirectUri: redirect, scope: 'openid email', codeChallenge: challenge, prompt: [] };
    return ctx().built.core.sessions.issueCode(request, user.userId, new Date());
  }
  const redeem = (client: { id: string; secret?: string }, fields: Record<string, string>) =>
    ctx().anonymous.request('POST', '/oauth2/v2/token', new URLSearchParams(fields).toString(), { ...form, authorization: basic(client.id, client.secret!) });

  it("lets neither another client nor a wrong verifier burn a client's code", async () => {
    const owner = await registerClient(ctx().admin);
    const other = await registerClient(ctx().admin);
    const code = await codeFor(owner.id);
    const fields = { grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier };
    const stolen = await redeem(other, fields);
    assert.deepEqual(stolen.body, { error: 'invalid_grant', error_description: 'the authorization code was issued to another client' });
    const wrong = await redeem(owner, { ...fields, code_verifier: 'w'.repeat(43) });
    assert.deepEqual(wrong.body, { error: 'invalid_grant', error_description: 'code_verifier does not match the code challenge' });
    const tokens = await redeem(owner, fields);
    assert.equal(tokens.status, 200, tokens.text);
    assert.ok(tokens.body.refresh_token);

    const presented = await redeem(other, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    assert.deepEqual(presented.body, { error: 'invalid_grant', error_description: 'the refresh token is not valid' });
    const refreshed = await redeem(owner, { grant_type: 'refresh_token', refresh_token: tokens.body.refresh_token });
    assert.equal(refreshed.status, 200, 'the owner refreshes: the token was not consumed, its session not revoked');
    assert.equal((await ctx().admin.as(refreshed.body.access_token).get('/api/v1/acl')).status, 200);
  });
});

suite('conformance findings: repeated parameters (RFC 6749 §3.1)', (ctx) => {
  it('answers a repeated parameter with an error page or an OAuth error, never a server error', async () => {
    const registered = await registerClient(ctx().admin);
    const authorize = await ctx().anonymous.get(
      `/oauth2/v2/authorization?client_id=${registered.id}&redirect_uri=http://127.0.0.1:9/cb&response_type=code&scope=openid&state=a&state=b`,
    );
    assert.equal(authorize.status, 400);
    assert.match(String(authorize.headers['content-type']), /text\/html/);
    assert.match(authorize.text, /parameter state must not be repeated/);
    const signup = await ctx().anonymous.get('/api/v1/signup?token=tsr_sgn_a&token=tsr_sgn_b');
    assert.equal(signup.status, 400);
    assert.match(signup.text, /parameter token must not be repeated/);
    const callback = await ctx().anonymous.get('/oidc/callback?code=a&code=b&state=s&state=t');
    assert.equal(callback.status, 400);
    assert.match(String(callback.headers['content-type']), /text\/html/);
    const token = await ctx().anonymous.request('POST', '/oauth2/v2/token', 'grant_type=client_credentials&grant_type=refresh_token', {
      ...form,
      authorization: basic(registered.id, registered.secret!),
    });
    assert.deepEqual([token.status, token.body], [400, { error: 'invalid_request', error_description: 'parameter grant_type must not be repeated' }]);
    const listing = await ctx().admin.get('/api/v1/organizations?limit=1&limit=2');
    assert.deepEqual([listing.status, listing.body.error], [400, 'invalid_request']);
  });
});

suite('conformance findings: CORS', (ctx) => {
  it('lets any origin read discovery and JWKS, and only public clients’ origins call the token endpoints', async () => {
    const anon = ctx().anonymous;
    for (const path of ['/.well-known/openid-configuration', '/oauth2/v2/jwks']) {
      const res = await anon.request('GET', path, undefined, { origin: 'https://anywhere.example' });
      assert.equal(res.headers['access-control-allow-origin'], '*', path);
    }
    await registerClient(ctx().admin, { public: true, redirectURIs: ['https://spa.example/callback'] });
    await registerClient(ctx().admin, { redirectURIs: ['https://server.example/callback'] });
    const preflight = (path: string, origin: string, method = 'POST') =>
      anon.request('OPTIONS', path, undefined, { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' });
    for (const [path, method] of [
      ['/oauth2/v2/token', 'POST'],
      ['/oauth2/v2/userinfo', 'GET'],
      ['/oauth2/v2/revoke', 'POST'],
    ]) {
      const allowed = await preflight(path, 'https://spa.example', method);
      assert.equal(allowed.status, 204, path);
      assert.equal(allowed.headers['access-control-allow-origin'], 'https://spa.example', path);
      assert.match(String(allowed.headers['access-control-allow-methods']), new RegExp(method), path);
      assert.equal(allowed.headers['access-control-allow-credentials'], undefined, path);
      for (const origin of ['https://server.example', 'https://evil.example', 'https://spa.example.evil.example']) {
        const refused = await preflight(path, origin, method);
        assert.deepEqual([refused.status, refused.headers['access-control-allow-origin']], [204, undefined], `${path} ${origin}`);
      }
    }
    const error = await anon.request('POST', '/oauth2/v2/token', 'grant_type=authorization_code&code=x&client_id=nobody', {
      ...form,
      origin: 'https://spa.example',
    });
    assert.equal(error.status, 401);
    assert.equal(error.headers['access-control-allow-origin'], 'https://spa.example', 'errors are readable by the app');
    const userinfo = await anon.request('GET', '/oauth2/v2/userinfo', undefined, { origin: 'https://spa.example' });
    assert.deepEqual(
      [userinfo.headers['access-control-allow-origin'], userinfo.headers['access-control-expose-headers']],
      ['https://spa.example', 'www-authenticate, retry-after'],
    );
    const introspect = await preflight('/oauth2/v2/introspect', 'https://spa.example');
    assert.equal(introspect.headers['access-control-allow-origin'], undefined, 'introspection is for resource servers');
  });
});

suite(
  'conformance findings: ID token algorithms',
  (ctx) => {
    it('signs ID tokens RS256 by default and ES256 for clients that ask, and a relying party verifies both', async () => {
      const org = await createOrganization(ctx().admin);
      const user = await userWithRole(ctx(), org, 'reader');
      const verifier = client.randomPKCECodeVerifier();
      for (const alg of ['RS256', 'ES256'] as const) {
        const spec = alg === 'ES256' ? { idTokenSignedResponseAlg: 'ES256' } : {};
        const registered = await registerClient(ctx().admin, spec);
        const read = await ctx().admin.get(`/api/v1/oauth2clients/${registered.id}`);
        assert.equal(read.body.spec.idTokenSignedResponseAlg, alg);
        const rp = await client.discovery(
          new URL(ctx().url),
          registered.id,
          { client_secret: registered.secret, id_token_signed_response_alg: alg },
          client.ClientSecretBasic(registered.secret!),
          { execute: [client.allowInsecureRequests] },
        );
        assert.deepEqual(rp.serverMetadata().id_token_signing_alg_values_supported, ['ES256', 'RS256']);
        const code = await ctx().built.core.sessions.issueCode(
          {
            clientId: registered.id,
            redirectUri: clientRedirect,
            scope: 'openid email',
            codeChallenge: await client.calculatePKCECodeChallenge(verifier),
            prompt: [],
            nonce: 'n',
          },
          user.userId,
          new Date(),
        );
        const callback = new URL(`${clientRedirect}?${new URLSearchParams({ code, state: 's', iss: ctx().url })}`);
        const tokens = await client.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier, expectedState: 's', expectedNonce: 'n' });
        const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString());
        assert.equal(header.alg, alg);
        assert.equal(tokens.claims()?.sub, user.userId);
      }
    });
  },
  {},
  { listen: true },
);

suite('conformance findings: NUL in authorization parameters', (ctx) => {
  it('answers NUL bytes in state, nonce or login_hint with a 4xx, never a server error', async () => {
    const registered = await registerClient(ctx().admin);
    for (const field of ['state', 'nonce', 'login_hint']) {
      const params = new URLSearchParams({
        client_id: registered.id,
        redirect_uri: clientRedirect,
        response_type: 'code',
        scope: 'openid',
        state: 's',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
        [field]: 'a\u0000b',
      });
      const res = await ctx().anonymous.get(`/oauth2/v2/authorization?${params}`);
      assert.ok(res.status >= 300 && res.status < 500, `${field}: ${res.status} ${res.text.slice(0, 200)}`);
      if (res.status === 302) assert.equal(new URL(String(res.headers.location)).searchParams.get('error'), 'invalid_request', field);
    }
  });
});
