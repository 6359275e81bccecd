/**
 * Two Tessera instances on one database, as behind a load balancer: every step of a login
 * may land on either, and a code issued by one is redeemed at the other.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { createOrganization, roleIds } from './fixtures.ts';
import { startTestApp, testBackends, uniqueName } from './helpers.ts';
import type { Upstream } from './support/upstream.ts';
import {
  Agent,
  expectCode,
  loginThroughUpstream,
  memberOf,
  registerClient,
  registerProvider,
  relyingParty,
  startAuthorization,
  startUpstream,
} from './support/world.ts';

for (const backend of testBackends()) {
  describe(`two instances on one database [${backend.name}]`, () => {
    let a: Awaited<ReturnType<typeof startTestApp>>;
    let b: Awaited<ReturnType<typeof startTestApp>>;
    let upstream: Upstream;
    let db: Awaited<ReturnType<typeof backend.open>>;

    before(async () => {
      db = await backend.openMigrated();
      a = await startTestApp(backend, {}, { listen: true, db });
      b = await startTestApp(backend, { TESSERA_ISSUER: a.url }, { listen: true, db });
      upstream = await startUpstream(`${a.url}/oidc/callback`);
      await registerProvider(a.admin, upstream);
    });
    after(async () => {
      await upstream?.close();
      await b?.close();
      await a?.close();
      await db?.close();
    });

    it('sees an API token deactivated or rotated at the other instance at once', async () => {
      const org = await createOrganization(a.admin);
      const base = `/api/v1/organizations/${org}/apitokens`;
      const created = await a.admin.post(base, { metadata: { name: uniqueName('t') }, spec: { privileges: [{ roleID: roleIds.auditor }] } });
      const id = created.body.metadata.id;
      const groupsAtB = (token: string) => b.admin.as(token).get(`/api/v1/organizations/${org}/groups`);
      assert.equal((await groupsAtB(created.body.status.token)).status, 200);
      const rotated = await a.admin.post(`${base}/${id}/rotate`, {});
      assert.equal((await groupsAtB(created.body.status.token)).status, 401, 'the rotated-out secret stops at B at once');
      assert.equal((await groupsAtB(rotated.body.status.token)).status, 200);
      const current = (await a.admin.get(`${base}/${id}`)).body;
      await a.admin.put(`${base}/${id}`, { ...current, spec: { ...current.spec, active: false } });
      assert.equal((await groupsAtB(rotated.body.status.token)).status, 401, 'deactivated at A, refused at B');
    });

    it('completes a login started on one instance on the other, and redeems the code there', async () => {
      const login = uniqueName('ha');
      upstream.users.set(login, { email: `${login}@example.com` });
      const { org } = await memberOf(a, `${login}@example.com`);
      const registered = await registerClient(a.admin);
      const rp = await relyingParty(a, registered);
      // The browser's first request reaches instance A; every later one instance B.
      const served: string[] = [];
      const agent = new Agent();
      agent.route = (url) => {
        if (!url.startsWith(a.url)) return url;
        served.push(served.length === 0 ? 'A' : 'B');
        return served.length === 1 ? url : b.url + url.slice(a.url.length);
      };
      const start = await startAuthorization(rp);
      const back = expectCode(await loginThroughUpstream(agent, start.url, login));
      // authorization at A; login form and upstream callback (which issues the code) at B
      assert.deepEqual(served, ['A', 'B', 'B']);

      // The relying party redeems B's code at A.
      const tokens = await client.authorizationCodeGrant(rp, back, {
        pkceCodeVerifier: start.verifier,
        expectedState: start.state,
        expectedNonce: start.nonce,
      });
      const call = (base: string) => fetch(`${base}/api/v1/organizations/${org}/groups`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal((await call(a.url)).status, 200);
      assert.equal((await call(b.url)).status, 200);
      // A revocation at A is seen by B at once.
      await client.tokenRevocation(rp, tokens.refresh_token!);
      assert.equal((await call(b.url)).status, 401);
    });
  });
}
