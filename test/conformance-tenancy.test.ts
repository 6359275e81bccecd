/**
 * Issue 7, tenancy: outsiders are refused, and learn nothing of which organizations exist.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { createOrganization, createProject, serviceAccountWithRole, userWithRole } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';

const readable = ['', '/groups', '/projects', '/users', '/serviceaccounts', '/roles', '/oauth2providers', '/quotas', '/allocations', '/acl'];

suite('conformance findings: tenancy', (ctx) => {
  it("refuses an outsider listing another organization's projects or allocations", async () => {
    const org = await createOrganization(ctx().admin);
    await createProject(ctx().admin, org);
    const home = await createOrganization(ctx().admin);
    const outsider = await userWithRole(ctx(), home, 'administrator');
    for (const path of ['/projects', '/allocations']) {
      const res = await outsider.client.get(`/api/v1/organizations/${org}${path}`);
      assert.deepEqual([res.status, res.body.error], [403, 'forbidden'], path);
    }
  });

  it('answers a list under a parent that does not exist with 404, on every face', async () => {
    const org = await createOrganization(ctx().admin);
    const nowhere = randomUUID();
    const lists = [
      ...['groups', 'users', 'projects', 'serviceaccounts', 'apitokens', 'auditlogs', 'allocations', 'oauth2providers', 'roles'].map(
        (list) => `/api/v1/organizations/${nowhere}/${list}`,
      ),
      `/api/v1/organizations/${org}/serviceaccounts/${nowhere}/trustpolicies`,
      `/api/v1/orgs/${nowhere}/apitokens`,
      `/v2/orgs/${uniqueName('nowhere')}/access-tokens`,
      `/api/v2/org/${org}/project/${nowhere}/oidc-custom-claims`,
    ];
    for (const url of lists) assert.equal((await ctx().admin.get(url)).status, 404, url);
  });

  it('answers outsiders the same whether or not the organization exists', async () => {
    const org = await createOrganization(ctx().admin);
    const home = await createOrganization(ctx().admin);
    const outsiders = {
      user: (await userWithRole(ctx(), home, 'administrator')).client,
      serviceAccount: (await serviceAccountWithRole(ctx(), home, 'administrator')).client,
    };
    const missing = randomUUID();
    for (const [who, client] of Object.entries(outsiders)) {
      for (const path of readable) {
        const existing = await client.get(`/api/v1/organizations/${org}${path}`);
        const unknown = await client.get(`/api/v1/organizations/${missing}${path}`);
        assert.deepEqual([unknown.status, unknown.body], [existing.status, existing.body], `${who} GET ${path}`);
        // The organization ACL is the caller's own: empty for an outsider, existing organization or not.
        if (path === '/acl') assert.deepEqual([existing.status, existing.body], [200, {}]);
        else assert.equal(existing.status, 403, `${who} GET ${path} is refused`);
      }
      const write = { metadata: { name: 'x' }, spec: { groupIDs: [] } };
      const existing = await client.post(`/api/v1/organizations/${org}/projects`, write);
      const unknown = await client.post(`/api/v1/organizations/${missing}/projects`, write);
      assert.deepEqual([unknown.status, unknown.body], [existing.status, existing.body], `${who} POST projects`);
    }
    // Platform administrators may see every organization, and so learn which ones do not exist.
    assert.equal((await ctx().admin.get(`/api/v1/organizations/${missing}/groups`)).status, 404);
  });

  it('answers adding a member the same whether or not the email has an account, and documents the link', async () => {
    const home = await createOrganization(ctx().admin);
    const known = await userWithRole(ctx(), home, 'reader');
    await ctx().db.query('UPDATE users SET last_active = now() WHERE id = $1', [known.userId], { notes: true });
    const org = await createOrganization(ctx().admin);
    const add = (email: string) => ctx().admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [] } });
    const existing = await add(known.email);
    const newcomer = await add(`${uniqueName('new')}@example.com`);
    const shape = (body: any) => ({
      status: Object.keys(body.status),
      state: body.spec.state,
      link: /^http:\/\/localhost:8080\/api\/v1\/signup\?token=tsr_sgn_\w{49}$/.test(body.status.signupLink),
    });
    assert.deepEqual(shape(existing.body), shape(newcomer.body));
    assert.deepEqual(shape(existing.body), { status: ['signupLink'], state: 'active', link: true });
    const read = await ctx().admin.get(`/api/v1/organizations/${org}/users/${existing.body.metadata.id}`);
    assert.deepEqual(read.body.status, {}, 'activity from before the membership is not shown');

    const follow = async (link: string) => (await ctx().anonymous.get(new URL(link).pathname + new URL(link).search)).text;
    assert.equal(await follow(existing.body.status.signupLink), await follow(newcomer.body.status.signupLink));
    const doc = (await ctx().anonymous.get('/openapi.json')).body;
    const userRead = JSON.stringify(doc.paths['/api/v1/organizations/{organizationID}/users'].post.responses['201']);
    assert.match(userRead, /says nothing of whether the account existed/);
  });
});
