/**
 * Faces: each answers in its own envelope, also for router errors (unknown routes, bad
 * percent-encoding, over-long parameters) under its prefixes; access declarations name
 * where the organization comes from (a path parameter of any name, or a name), so a vendor
 * face gets the same permission check and organization guard as the native API.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { defaultFaces } from '../src/app.ts';
import { callers, fromParam, installAccess, organizationNamed, permission } from '../src/http/access.ts';
import { bearerToken } from '../src/http/bearer.ts';
import { statusOf } from '../src/http/envelope.ts';
import type { Face } from '../src/http/faces.ts';
import { createOrganization, userWithRole } from './fixtures.ts';
import { startTestApp, suite, testBackends, uniqueName } from './helpers.ts';

/** A vendor-style face: organizations by name or as `{org_id}`, errors as `{message}`. */
const vendorFace: Face = {
  name: 'vendor',
  prefixes: ['/vendor/v2/'],
  sendError: (_request, reply, error) => reply.status(statusOf(error)).send({ message: error.message }),
  register(app, deps) {
    installAccess(app, { face: 'vendor', core: deps.core, credential: bearerToken, limiter: deps.limiter });
    app.get('/vendor/v2/orgs/:name', {
      config: { access: callers({ permission: permission('organization', 'identity:groups', 'read'), organization: organizationNamed('name') }) },
      handler: async (req) => ({ organization: req.organizationId }),
    });
    app.post('/vendor/v2/orgs/:org_id/ping', {
      config: { access: callers({ permission: permission('organization', 'identity:groups', 'update'), organization: fromParam('org_id') }) },
      handler: async (req) => ({ organization: req.organizationId }),
    });
  },
};

const pageHeaders = (headers: Record<string, unknown>) => ({
  type: String(headers['content-type']).split(';')[0],
  frame: headers['x-frame-options'],
  cache: headers['cache-control'],
});

suite(
  'faces',
  (ctx) => {
    it('resolves the organization by name for a face that names organizations', async () => {
      const name = uniqueName('org');
      const org = await createOrganization(ctx().admin, name);
      const admin = await userWithRole(ctx(), org, 'administrator');
      const other = await createOrganization(ctx().admin);
      const outsider = await userWithRole(ctx(), other, 'administrator');
      assert.deepEqual((await admin.client.get(`/vendor/v2/orgs/${name}`)).body, { organization: org });
      const denied = await outsider.client.get(`/vendor/v2/orgs/${name}`);
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.body, { message: 'the caller lacks read permission on identity:groups at organization scope' });
      // Only a caller with a global grant learns that a name is unknown; others are refused as for any name.
      const missing = await ctx().admin.get('/vendor/v2/orgs/no-such-organization');
      assert.deepEqual([missing.status, missing.body], [404, { message: 'organization not found' }]);
      const guessed = await outsider.client.get('/vendor/v2/orgs/no-such-organization');
      assert.deepEqual([guessed.status, guessed.body], [denied.status, denied.body]);
    });

    it('checks permissions and the organization guard for a path parameter of any name', async () => {
      const org = await createOrganization(ctx().admin);
      const reader = await userWithRole(ctx(), org, 'reader');
      const admin = await userWithRole(ctx(), org, 'administrator');
      assert.equal((await reader.client.post(`/vendor/v2/orgs/${org}/ping`)).status, 403);
      assert.deepEqual((await admin.client.post(`/vendor/v2/orgs/${org}/ping`)).body, { organization: org });
      assert.equal((await ctx().admin.delete(`/api/v1/organizations/${org}`)).status, 202);
      const deleting = await ctx().admin.post(`/vendor/v2/orgs/${org}/ping`);
      assert.deepEqual([deleting.status, deleting.body], [409, { message: 'the organization is being deleted' }]);
    });

    it('answers router errors in the envelope of the face that owns the path', async () => {
      const anon = ctx().anonymous;
      const native = await anon.get('/api/v1/organizations/%E0%A4%A');
      assert.deepEqual([native.status, native.body], [400, { error: 'invalid_request', error_description: 'the request URL is not validly percent-encoded' }]);
      const long = await anon.get(`/api/v1/organizations/${'a'.repeat(300)}`);
      assert.deepEqual([long.status, long.body], [400, { error: 'invalid_request', error_description: 'a path parameter of the request URL is too long' }]);
      const vendor = await anon.get('/vendor/v2/%zz');
      assert.deepEqual([vendor.status, vendor.body], [400, { message: 'the request URL is not validly percent-encoded' }]);
      const unknownVendor = await anon.get('/vendor/v2/nothing-here');
      assert.deepEqual([unknownVendor.status, unknownVendor.body], [404, { message: 'no route matches this GET request' }]);
      const unknownOauth = await anon.get('/oauth2/v2/nothing-here');
      assert.deepEqual(unknownOauth.body, { error: 'not_found', error_description: 'no route matches this GET request' });
      const page = await anon.get('/oidc/%zz');
      assert.equal(page.status, 400);
      assert.deepEqual(pageHeaders(page.headers), { type: 'text/html', frame: 'DENY', cache: 'no-store' });
      assert.match(page.text, /the request URL is not validly percent-encoded/);
      const unknownPage = await anon.get('/oidc/nothing-here');
      assert.equal(unknownPage.status, 404);
      assert.deepEqual(pageHeaders(unknownPage.headers), { type: 'text/html', frame: 'DENY', cache: 'no-store' });
    });

    it('refuses a request with two Authorization headers in each face’s envelope, whichever credential comes first', async () => {
      const org = await createOrganization(ctx().admin);
      const good = `Bearer ${ctx().admin.token}`;
      const text = 'the request has more than one Authorization header: send exactly one credential';
      const send = async (method: 'GET' | 'POST', url: string, authorization: string[]) => {
        // light-my-request sends each value of an array as a header line of its own (its types say string only).
        const res = await ctx().built.app.inject({ method, url, headers: { authorization } as unknown as Record<string, string> });
        return [res.statusCode, JSON.parse(res.body)];
      };
      for (const twice of [
        [good, 'Bearer tsr_sat_wrong'],
        ['Bearer tsr_sat_wrong', good],
        [good, good],
      ]) {
        assert.deepEqual(await send('GET', `/api/v1/organizations/${org}/groups`, twice), [400, { error: 'invalid_request', error_description: text }]);
        assert.deepEqual(await send('POST', '/oauth2/v2/token', twice), [400, { error: 'invalid_request', error_description: text }]);
        assert.deepEqual(await send('GET', `/v2/orgs/${org}/access-tokens`, twice), [400, { fields: {}, text }]);
        assert.deepEqual(await send('GET', `/api/v1/orgs/${org}/apitokens`, twice), [400, { detail: text }]);
        assert.deepEqual(await send('GET', `/api/v2/org/${org}/oidc-custom-claims`, twice), [400, { error: text }]);
      }
      assert.equal((await ctx().admin.get(`/api/v1/organizations/${org}/groups`)).status, 200, 'one header is fine');
    });

    it('answers a method the path does not have with 405 and Allow, in the face’s envelope (RFC 9110 §15.5.6)', async () => {
      const org = await createOrganization(ctx().admin);
      const cases: [string, string, string, unknown][] = [
        [
          'DELETE',
          '/api/v1/organizations',
          'GET, HEAD, POST',
          { error: 'invalid_request', error_description: 'this path does not take DELETE; it takes GET, HEAD, POST' },
        ],
        ['PUT', '/healthz', 'GET, HEAD', { error: 'invalid_request', error_description: 'this path does not take PUT; it takes GET, HEAD' }],
        ['GET', '/oauth2/v2/token', 'POST, OPTIONS', { error: 'invalid_request', error_description: 'this path does not take GET; it takes POST, OPTIONS' }],
        ['POST', `/api/v1/orgs/${org}/apitokens/${org}`, 'GET, HEAD, PUT, DELETE', { detail: 'this path does not take POST; it takes GET, HEAD, PUT, DELETE' }],
        [
          'PUT',
          `/api/v2/org/${org}/oidc-custom-claims`,
          'GET, HEAD, PATCH, DELETE',
          { error: 'this path does not take PUT; it takes GET, HEAD, PATCH, DELETE' },
        ],
      ];
      for (const [method, url, allow, body] of cases) {
        const res = await ctx().admin.request(method, url);
        assert.deepEqual([res.status, res.headers.allow, res.body], [405, allow, body], `${method} ${url}`);
      }
      const unknown = await ctx().admin.get('/api/v1/no-such-thing');
      assert.deepEqual([unknown.status, unknown.headers.allow], [404, undefined], 'a path with no route at all is still 404');
    });

    it('keeps a well-formed X-Request-Id, makes a unique one otherwise, and returns it on every answer', async () => {
      const given = await ctx().anonymous.request('GET', '/healthz', undefined, { 'x-request-id': 'trace-0af7651916cd43dd' });
      assert.equal(given.headers['x-request-id'], 'trace-0af7651916cd43dd');
      const made = new Set<unknown>();
      for (const id of [undefined, 'has spaces', 'x'.repeat(129), 'line\u0001break']) {
        const res = await ctx().anonymous.request('GET', '/api/v1/organizations', undefined, id === undefined ? {} : { 'x-request-id': id });
        assert.equal(res.status, 401, 'errors carry it too');
        assert.match(String(res.headers['x-request-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, String(id));
        made.add(res.headers['x-request-id']);
      }
      assert.equal(made.size, 4, 'a new one each time');
      for (const url of ['/oidc/%zz', '/api/v1/no-such-thing']) {
        assert.ok((await ctx().anonymous.get(url)).headers['x-request-id'], `${url}: router errors and unknown paths too`);
      }
    });

    it('hands faces the services, never the server keys, the signer or the caches', async () => {
      let seen: Record<string, unknown> | undefined;
      const curious: Face = {
        name: 'curious',
        prefixes: ['/curious/'],
        sendError: (_request, reply, error) => reply.status(statusOf(error)).send({ message: error.message }),
        register(_app, deps) {
          seen = deps.core as unknown as Record<string, unknown>;
        },
      };
      const started = await startTestApp(testBackends()[0]!, {}, { app: { faces: [...defaultFaces, curious] } });
      try {
        for (const hidden of ['keys', 'signer', 'caches']) assert.equal(seen?.[hidden], undefined, hidden);
        assert.deepEqual(Object.keys(seen?.config as object).sort(), ['issuer', 'metricsToken', 'refreshTokenTtl']);
        assert.ok(seen?.issuance && seen?.authenticator, 'the services are there');
      } finally {
        await started.close();
      }
    });

    it('refuses to start with a route that declares no access: nothing is open by omission', async () => {
      const careless: Face = {
        name: 'careless',
        prefixes: ['/careless/'],
        sendError: (_request, reply, error) => reply.status(statusOf(error)).send({ message: error.message }),
        register(app) {
          app.get('/careless/secrets', { config: {} as never, handler: async () => ({ secret: true }) });
        },
      };
      await assert.rejects(
        startTestApp(testBackends()[0]!, {}, { app: { faces: [...defaultFaces, careless] } }),
        /routes without an access declaration \(config\.access\): GET \/careless\/secrets, HEAD \/careless\/secrets/,
      );
    });

    it('reads userinfo’s token like any credential: a bad one is audited, counted and budgeted', async () => {
      const before = (await ctx().admin.get('/api/v1/auditlogs?action=authentication.failed&limit=1000')).body.length;
      const counted = () =>
        ctx()
          .built.metrics.render()
          .then((text) => Number(/tessera_authentication_failures_total\{reason="invalid"\} (\d+)/.exec(text)?.[1] ?? 0));
      const failuresBefore = await counted();
      const bad = await ctx().anonymous.request('GET', '/oauth2/v2/userinfo', undefined, {
        authorization: 'Bearer not-a-token',
        'x-forwarded-for': '203.0.113.77',
      });
      assert.deepEqual([bad.status, bad.body.error], [401, 'invalid_token']);
      const inForm = await ctx().anonymous.request('POST', '/oauth2/v2/userinfo', 'access_token=also-not-a-token', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      assert.deepEqual([inForm.status, inForm.body.error], [401, 'invalid_token'], 'a token in the form body is read too (RFC 6750 §2.2)');
      const after = (await ctx().admin.get('/api/v1/auditlogs?action=authentication.failed&limit=1000')).body.length;
      assert.ok(after > before, 'audited');
      assert.equal(await counted(), failuresBefore + 2, 'counted in tessera_authentication_failures_total');
      const none = await ctx().anonymous.get('/oauth2/v2/userinfo');
      assert.deepEqual([none.status, none.headers['www-authenticate']], [401, 'Bearer realm="tessera"']);
      const notAUser = await ctx().admin.get('/oauth2/v2/userinfo');
      assert.deepEqual([notAUser.status, notAUser.body.error_description], [401, 'userinfo needs an access token issued to a user']);
    });

    it('renders errors of browser endpoints as pages with the page headers', async () => {
      const res = await ctx().anonymous.get('/oauth2/v2/authorization?client_id=a&client_id=b');
      assert.equal(res.status, 400);
      assert.deepEqual(pageHeaders(res.headers), { type: 'text/html', frame: 'DENY', cache: 'no-store' });
      assert.match(res.text, /parameter client_id must not be repeated/);
    });
  },
  {},
  { app: { faces: [...defaultFaces, vendorFace] } },
);
