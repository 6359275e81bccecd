/**
 * Workload identity tokens (issue 10, part 2): minted for a job of a project, verified by an
 * outside verifier (jose with the remote JWKS, found through the organization's discovery),
 * with the project's resolved audience and lifetime.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { createOrganization, createProject, serviceAccountWithRole } from './fixtures.ts';
import { suite } from './helpers.ts';

suite(
  'workload identity tokens',
  (ctx) => {
    async function discovered(org: string) {
      const res = await fetch(`${ctx().url}/org/${org}/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const config = (await res.json()) as { issuer: string; jwks_uri: string };
      assert.equal(config.issuer, `${ctx().url}/org/${org}`);
      return { issuer: config.issuer, jwks: createRemoteJWKSet(new URL(config.jwks_uri)) };
    }

    it("mints a token an outside verifier accepts through the organization's discovery, with the resolved claims", async () => {
      const admin = ctx().admin;
      const org = await createOrganization(admin);
      const project = await createProject(admin, org);
      const runner = await serviceAccountWithRole(ctx(), org, 'administrator');
      await admin.request('PATCH', `/api/v1/organizations/${org}/projects/${project}/oidcclaims`, { audience: ['sts.amazonaws.com', 'vault'], ttl: '15m' });
      const minted = await runner.client.post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`, {
        actor: 'user-42',
        pipelineId: 'p-1',
        vcsOrigin: 'github.com/acme/app',
        vcsRef: 'refs/heads/main',
        contextIds: ['ctx-1'],
        audience: 'vault',
      });
      assert.equal(minted.status, 201, minted.text);
      const { issuer, jwks } = await discovered(org);
      const { payload, protectedHeader } = await jwtVerify(minted.body.token, jwks, { issuer, audience: 'vault' });
      assert.deepEqual([protectedHeader.alg, protectedHeader.typ], ['ES256', 'JWT']);
      assert.equal(payload.sub, `org/${org}/project/${project}/user/user-42`);
      assert.equal(payload.exp! - payload.iat!, 900);
      assert.deepEqual([payload['tessera/project-id'], payload['tessera/vcs-ref'], payload['tessera/context-ids']], [project, 'refs/heads/main', ['ctx-1']]);
      const rp = await client.discovery(new URL(issuer), 'a-cloud', undefined, undefined, { execute: [client.allowInsecureRequests] });
      assert.equal(rp.serverMetadata().issuer, issuer, 'openid-client discovers the organization issuer');
      const v2 = await jwtVerify(minted.body.tokenV2, jwks, { issuer, audience: 'vault' });
      assert.equal(v2.payload.sub, `org/${org}/project/${project}/user/user-42/vcs-origin/github.com/acme/app/vcs-ref/refs/heads/main`);
      const refused = await runner.client.post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`, { audience: 'elsewhere' });
      assert.deepEqual(refused.body, { error: 'invalid_request', error_description: 'audience is not one of the audiences allowed for this project' });
    });

    it('mints with the defaults for an empty body, and old tokens verify after a key rotation', async () => {
      const admin = ctx().admin;
      const org = await createOrganization(admin);
      const project = await createProject(admin, org);
      const minted = await admin.post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`);
      assert.equal(minted.status, 201, minted.text);
      const claims = decodeJwt(minted.body.token);
      assert.deepEqual([claims.aud, claims.exp! - claims.iat!, minted.body.audience], [org, 3600, [org]], 'audience: the organization ID; ttl: 1 hour');
      await ctx().built.core.keyRing.rotate();
      const { issuer, jwks } = await discovered(org);
      assert.equal((await jwtVerify(minted.body.token, jwks, { issuer, audience: org })).payload.sub, claims.sub);
    });

    it('is for those allowed to mint in the project, and discovery knows only live organizations', async () => {
      const admin = ctx().admin;
      const org = await createOrganization(admin);
      const project = await createProject(admin, org);
      const auditor = await serviceAccountWithRole(ctx(), org, 'auditor');
      const denied = await auditor.client.post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`, {});
      assert.deepEqual([denied.status, denied.body.error], [403, 'forbidden']);
      const other = await createOrganization(admin);
      const outsider = await serviceAccountWithRole(ctx(), other, 'administrator');
      assert.equal((await outsider.client.post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`, {})).status, 403);
      assert.equal((await fetch(`${ctx().url}/org/00000000-0000-4000-8000-000000000000/.well-known/openid-configuration`)).status, 404);
      assert.equal((await fetch(`${ctx().url}/org/not-an-id/.well-known/openid-configuration`)).status, 404);
      await admin.delete(`/api/v1/organizations/${other}`);
      assert.equal((await fetch(`${ctx().url}/org/${other}/.well-known/openid-configuration`)).status, 404, 'a deleted organization');
      const bad = await admin.post(`/api/v1/organizations/${org}/projects/${project}/workloadtokens`, { contextIds: 'one' });
      assert.equal(bad.status, 400);
    });

    it("takes the organization's claims for a project without its own, and is refused in a project that does not exist or is being deleted", async () => {
      const admin = ctx().admin;
      const org = await createOrganization(admin);
      const project = await createProject(admin, org);
      await admin.request('PATCH', `/api/v1/organizations/${org}/oidcclaims`, { audience: ['org-wide'], ttl: '20m' });
      const mint = (id: string) => admin.post(`/api/v1/organizations/${org}/projects/${id}/workloadtokens`, {});
      const unknown = await mint('00000000-0000-4000-8000-000000000000');
      assert.deepEqual([unknown.status, unknown.body], [404, { error: 'not_found', error_description: 'project not found' }]);
      const other = await createOrganization(admin);
      const foreign = await createProject(admin, other);
      assert.equal((await mint(foreign)).status, 404, "another organization's project");
      const minted = await mint(project);
      assert.equal(minted.status, 201);
      const claims = decodeJwt(minted.body.token);
      assert.deepEqual([claims.aud, claims.exp! - claims.iat!], ['org-wide', 1200]);
      assert.equal((await admin.delete(`/api/v1/organizations/${org}/projects/${project}`)).status, 202);
      const deleting = await mint(project);
      assert.deepEqual([deleting.status, deleting.body], [409, { error: 'conflict', error_description: 'the project is being deleted' }]);
    });
  },
  {},
  { listen: true },
);
