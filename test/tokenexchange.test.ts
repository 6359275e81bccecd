/**
 * Workload identity federation (issue 10, part 3): RFC 8693 token exchange of a workload's
 * JWT for a service account's access, with trust policies, against Tessera's own workload
 * issuer and against a real outside issuer on loopback (discovery + JWKS, keys from jose).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createOrganization, createProject, serviceAccountWithRole, userWithRole } from './fixtures.ts';
import { suite } from './helpers.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * An outside OpenID Connect issuer: discovery and JWKS over HTTP, tokens signed with its own
 * key. `claims` is the issuer its discovery document names (its own URL unless it lies).
 */
async function outsideIssuer(claims?: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'ci-key', alg: 'RS256', use: 'sig' };
  let url = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: claims ?? url, jwks_uri: `${url}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (claims: Record<string, unknown>, exp = '10m') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'ci-key' }).setIssuer(url).setIssuedAt().setExpirationTime(exp).sign(privateKey);
  return { url, sign, publicJwk: jwk, close: () => new Promise((resolve) => server.close(resolve)) };
}

suite(
  'token exchange',
  (ctx) => {
    let ci: Awaited<ReturnType<typeof outsideIssuer>>;
    before(async () => {
      ci = await outsideIssuer();
    });
    after(() => ci?.close());

    const exchange = (subjectToken: string) =>
      ctx().anonymous.request(
        'POST',
        '/oauth2/v2/token',
        new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: subjectToken,
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        }).toString(),
        form,
      );
    const trust = (org: string, sa: string, policy: Record<string, unknown>) =>
      ctx().admin.post(`/api/v1/organizations/${org}/serviceaccounts/${sa}/trustpolicies`, policy);

    it('exchanges an outside issuer’s token for the service account its trust policy names, and nothing else', async () => {
      const org = await createOrganization(ctx().admin);
      const sa = await serviceAccountWithRole(ctx(), org, 'auditor');
      const policy = await trust(org, sa.id, {
        issuer: ci.url,
        audiences: ['tessera'],
        subjectPattern: 'repo:acme/app:ref:refs/heads/*',
        requiredClaims: { repository_owner: 'acme' },
      });
      assert.equal(policy.status, 201, policy.text);
      const good = await ci.sign({ sub: 'repo:acme/app:ref:refs/heads/main', aud: 'tessera', repository_owner: 'acme' }, '5m');
      const exchanged = await exchange(good);
      assert.equal(exchanged.status, 200, exchanged.text);
      assert.deepEqual([exchanged.body.token_type, exchanged.body.issued_token_type], ['Bearer', 'urn:ietf:params:oauth:token-type:access_token']);
      assert.ok(exchanged.body.expires_in <= 300, 'no longer than the subject token lives');
      const asAccount = ctx().admin.as(exchanged.body.access_token);
      assert.equal((await asAccount.get(`/api/v1/organizations/${org}/groups`)).status, 200, 'with the account’s ACL');
      assert.equal(
        (await asAccount.post(`/api/v1/organizations/${org}/groups`, { metadata: { name: 'g' }, spec: { roleIDs: [], userIDs: [], serviceAccountIDs: [] } }))
          .status,
        403,
      );

      for (const claims of [
        { sub: 'repo:acme/app:ref:refs/heads/main', aud: 'elsewhere', repository_owner: 'acme' },
        { sub: 'repo:evil/app:ref:refs/heads/main', aud: 'tessera', repository_owner: 'acme' },
        { sub: 'repo:acme/app:ref:refs/heads/main', aud: 'tessera', repository_owner: 'evil' },
      ]) {
        const refused = await exchange(await ci.sign(claims));
        assert.deepEqual(
          [refused.status, refused.body],
          [400, { error: 'invalid_grant', error_description: 'the subject token is not accepted' }],
          JSON.stringify(claims),
        );
      }
      // Attacks: no signature, an HMAC keyed with the public key, a key the issuer never published.
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const claims = {
        iss: ci.url,
        sub: 'repo:acme/app:ref:refs/heads/main',
        aud: 'tessera',
        repository_owner: 'acme',
        exp: Math.floor(Date.now() / 1000) + 300,
      };
      const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'ci-key' }).sign(new TextEncoder().encode(JSON.stringify(ci.publicJwk)));
      const strangerKey = (await generateKeyPair('RS256')).privateKey;
      const unknownKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'not-published' }).sign(strangerKey);
      const wrongIssuer = await new SignJWT({ ...claims, iss: 'https://ci.elsewhere.example' })
        .setProtectedHeader({ alg: 'RS256', kid: 'ci-key' })
        .sign(strangerKey);
      for (const [name, token] of Object.entries({ unsigned, hmac, unknownKid, wrongIssuer })) {
        assert.equal((await exchange(token)).body.error, 'invalid_grant', name);
      }
      const expired = await exchange(await ci.sign({ sub: 'repo:acme/app:ref:refs/heads/main', aud: 'tessera', repository_owner: 'acme' }, '-1m'));
      assert.equal(expired.body.error, 'invalid_grant');
      const forged = await exchange(`${good.slice(0, -4)}AAAA`);
      assert.equal(forged.body.error, 'invalid_grant');
      const audit = await ctx().admin.get(`/api/v1/auditlogs?action=tokenexchange.refused&limit=1000`);
      assert.ok(audit.body.length >= 5, 'every refusal is audited');
      const done = await ctx().admin.get(`/api/v1/organizations/${org}/auditlogs?action=serviceaccount.token_exchanged`);
      assert.equal(done.body[0].target.id, sa.id);

      await ctx().admin.delete(`/api/v1/organizations/${org}/serviceaccounts/${sa.id}`);
      assert.equal((await asAccount.get(`/api/v1/organizations/${org}/groups`)).status, 401, 'the access ends with the account');
      assert.equal((await exchange(good)).body.error, 'invalid_grant', 'and its policies went with it');
    });

    it('matches subject patterns without backtracking, and refuses over-long subjects', { timeout: 20_000 }, async () => {
      const org = await createOrganization(ctx().admin);
      const sa = await serviceAccountWithRole(ctx(), org, 'auditor');
      const pattern = `${'*a'.repeat(40)}*b`;
      assert.equal((await trust(org, sa.id, { issuer: ci.url, audiences: ['adversarial'], subjectPattern: pattern })).status, 201);
      // Backtracking took 8 s for 4 stars on 291 characters; 41 stars on 1,000 would not end.
      const [refused, health] = await Promise.all([exchange(await ci.sign({ sub: 'a'.repeat(1000), aud: 'adversarial' })), ctx().anonymous.get('/healthz')]);
      assert.deepEqual([refused.status, refused.body.error, health.status], [400, 'invalid_grant', 200]);
      assert.equal((await exchange(await ci.sign({ sub: `${'a'.repeat(999)}b`, aud: 'adversarial' }))).status, 200, 'a matching subject');
      const overLong = await exchange(await ci.sign({ sub: `${'a'.repeat(1024)}b`, aud: 'adversarial' }));
      assert.equal(overLong.body.error, 'invalid_grant', 'a subject over 1,024 characters matches nothing');
      const tooLong = await trust(org, sa.id, { issuer: ci.url, audiences: ['x'], subjectPattern: '*'.repeat(513) });
      assert.equal(tooLong.status, 400);
    });

    it('answers 404 for the policies of an account that is not in the organization, as for the account itself', async () => {
      const org = await createOrganization(ctx().admin);
      const other = await createOrganization(ctx().admin);
      const foreign = await serviceAccountWithRole(ctx(), other, 'auditor');
      const orgAdmin = await userWithRole(ctx(), org, 'administrator');
      const absent = { error: 'not_found', error_description: 'service account not found' };
      for (const account of [randomUUID(), '00000000-0000-0000-0000-000000000000', foreign.id]) {
        for (const client of [ctx().admin, orgAdmin.client]) {
          const listed = await client.get(`/api/v1/organizations/${org}/serviceaccounts/${account}/trustpolicies`);
          assert.deepEqual([listed.status, listed.body], [404, absent], account);
          const created = await client.post(`/api/v1/organizations/${org}/serviceaccounts/${account}/trustpolicies`, {
            issuer: ci.url,
            audiences: ['x'],
            subjectPattern: '*',
          });
          assert.deepEqual([created.status, created.body], [404, absent], account);
        }
      }
      const own = await ctx().admin.get(`/api/v1/organizations/${other}/serviceaccounts/${foreign.id}/trustpolicies`);
      assert.deepEqual([own.status, own.body], [200, []], 'in its own organization the account has an empty list');
    });

    it('refuses an issuer whose discovery document names another issuer (RFC 8414 §3.3)', async () => {
      const liar = await outsideIssuer(ci.url);
      try {
        const org = await createOrganization(ctx().admin);
        const sa = await serviceAccountWithRole(ctx(), org, 'auditor');
        assert.equal((await trust(org, sa.id, { issuer: liar.url, audiences: ['tessera'], subjectPattern: '*' })).status, 201);
        const refused = await exchange(await liar.sign({ sub: 'repo:acme/app', aud: 'tessera' }));
        assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant']);
      } finally {
        await liar.close();
      }
    });

    it('exchanges Tessera’s own workload tokens, verified with its own keys', async () => {
      const org = await createOrganization(ctx().admin);
      const project = await createProject(ctx().admin, org);
      const deployer = await serviceAccountWithRole(ctx(), org, 'administrator');
      const minted = await ctx().admin.post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`, { actor: 'ci' });
      await trust(org, deployer.id, { issuer: `${ctx().url}/org/${org}`, audiences: [org], subjectPattern: `org/${org}/project/${project}/user/*` });
      const exchanged = await exchange(minted.body.token);
      assert.equal(exchanged.status, 200, exchanged.text);
      assert.equal((await ctx().admin.as(exchanged.body.access_token).get(`/api/v1/organizations/${org}/serviceaccounts`)).status, 200);
      const policies = await ctx().admin.get(`/api/v1/organizations/${org}/serviceaccounts/${deployer.id}/trustpolicies`);
      assert.equal(policies.body.length, 1);
      const other = await createOrganization(ctx().admin);
      const foreign = await ctx().admin.post(`/api/v1/organizations/${other}/serviceaccounts/${deployer.id}/trustpolicies`, {
        issuer: ci.url,
        audiences: ['x'],
        subjectPattern: '*',
      });
      assert.equal(foreign.status, 404, 'another organization’s account is not there');
      for (const issuer of ['http://ci.example', 'ftp://localhost/ci']) {
        const insecure = await ctx().admin.post(`/api/v1/organizations/${org}/serviceaccounts/${deployer.id}/trustpolicies`, {
          issuer,
          audiences: ['x'],
          subjectPattern: '*',
        });
        assert.deepEqual([insecure.status, insecure.body.error_description], [400, 'issuer must be an https URL'], issuer);
      }
      // A workload token of another organization's issuer does not match this organization's policy.
      const otherProject = await createProject(ctx().admin, other);
      const otherToken = await ctx().admin.post(`/api/v1/organizations/${other}/projects/${otherProject}/workloadtokens`, { actor: 'ci' });
      assert.equal((await exchange(otherToken.body.token)).body.error, 'invalid_grant');
    });

    it('stops exchanging a Tessera issuer’s tokens once their project or organization is being deleted, caches included', async () => {
      const issuing = await createOrganization(ctx().admin);
      const [kept, dropped] = [await createProject(ctx().admin, issuing), await createProject(ctx().admin, issuing)];
      const mint = async (project: string) =>
        (await ctx().admin.post(`/api/v1/organizations/${issuing}/projects/${project}/workloadtokens`, { actor: 'ci' })).body.token as string;
      const [ofKept, ofDropped] = [await mint(kept), await mint(dropped)];
      const trusting = await createOrganization(ctx().admin);
      const deployer = await serviceAccountWithRole(ctx(), trusting, 'auditor');
      await trust(trusting, deployer.id, { issuer: `${ctx().url}/org/${issuing}`, audiences: [issuing], subjectPattern: `org/${issuing}/*` });
      for (const token of [ofKept, ofDropped, ofKept, ofDropped]) assert.equal((await exchange(token)).status, 200, 'accepted (and cached) while live');

      assert.equal((await ctx().admin.delete(`/api/v1/organizations/${issuing}/projects/${dropped}`)).status, 202);
      const refused = await exchange(ofDropped);
      assert.deepEqual([refused.status, refused.body], [400, { error: 'invalid_grant', error_description: 'the subject token is not accepted' }]);
      assert.equal((await exchange(ofKept)).status, 200, 'another project of the organization is still live');

      assert.equal((await ctx().admin.delete(`/api/v1/organizations/${issuing}`)).status, 202);
      assert.equal((await exchange(ofKept)).body.error, 'invalid_grant', 'nothing of an organization being deleted is accepted');
      const audit = await ctx().admin.get(`/api/v1/auditlogs?action=tokenexchange.refused&limit=1000`);
      assert.ok(
        audit.body.some((e: { actor: { subject?: string } }) => e.actor.subject === `${ctx().url}/org/${issuing}`),
        'the refusals are audited with the issuer',
      );
    });
  },
  {},
  { listen: true },
);
