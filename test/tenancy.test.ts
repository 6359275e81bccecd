/**
 * Two tenants, every resource: organization B's administrator and service account can
 * neither list, read, change nor delete organization A's objects, even knowing their IDs,
 * and A's objects are unchanged afterwards.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createGroup, createOrganization, createProject, createServiceAccount, serviceAccountWithRole, userWithRole } from './fixtures.ts';
import { type Client, suite, uniqueName } from './helpers.ts';

suite('two-tenant isolation', (ctx) => {
  const a: Record<string, string> = {};
  let bOrg: string;
  let attackers: { name: string; client: Client }[];

  async function snapshotA(): Promise<string> {
    const admin = ctx().admin;
    const parts = await Promise.all(
      ['', '/groups', '/users', '/serviceaccounts', '/projects', '/oauth2providers', '/quotas', '/allocations'].map((p) =>
        admin.get(`/api/v1/organizations/${a.org}${p}`),
      ),
    );
    return JSON.stringify(parts.map((p) => p.body));
  }

  before(async () => {
    const c = ctx();
    a.org = await createOrganization(c.admin);
    a.group = await createGroup(c.admin, a.org);
    a.user = (
      await c.admin.post(`/api/v1/organizations/${a.org}/users`, { spec: { subject: `${uniqueName('a')}@example.com`, state: 'active', groupIDs: [a.group] } })
    ).body.metadata.id;
    a.sa = (await createServiceAccount(c.admin, a.org, [a.group])).id;
    a.project = await createProject(c.admin, a.org, [a.group]);
    a.provider = (
      await c.admin.post(`/api/v1/organizations/${a.org}/oauth2providers`, { metadata: { name: 'idp' }, spec: { issuer: 'https://a.example', clientID: 'a' } })
    ).body.metadata.id;
    a.allocation = (
      await c.admin.post(`/api/v1/organizations/${a.org}/projects/${a.project}/allocations`, {
        metadata: { name: 'alloc' },
        spec: { kind: 'cluster', id: 'c1', allocations: [{ kind: 'servers', committed: 1, reserved: 0 }] },
      })
    ).body.metadata.id;
    bOrg = await createOrganization(c.admin);
    attackers = [
      { name: 'B administrator', client: (await userWithRole(c, bOrg, 'administrator')).client },
      { name: 'B service account', client: (await serviceAccountWithRole(c, bOrg, 'administrator')).client },
    ];
  });

  it("denies every call on organization A's paths with 403", async () => {
    const before = await snapshotA();
    const A = `/api/v1/organizations/${a.org}`;
    const write = { metadata: { name: 'pwned' }, spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [] } };
    const calls: [string, string, unknown?][] = [
      ['GET', A],
      ['PUT', A, { metadata: { name: 'pwned' }, spec: { organizationType: 'adhoc' } }],
      ['DELETE', A],
      ['GET', `${A}/groups`],
      ['GET', `${A}/groups/${a.group}`],
      ['PUT', `${A}/groups/${a.group}`, write],
      ['DELETE', `${A}/groups/${a.group}`],
      ['POST', `${A}/groups`, write],
      ['GET', `${A}/users`],
      ['GET', `${A}/users/${a.user}`],
      ['DELETE', `${A}/users/${a.user}`],
      ['PUT', `${A}/users/${a.user}`, { spec: { subject: 'x@example.com', state: 'active', groupIDs: [] } }],
      ['GET', `${A}/serviceaccounts`],
      ['GET', `${A}/serviceaccounts/${a.sa}`],
      ['POST', `${A}/serviceaccounts/${a.sa}/rotate`],
      ['PUT', `${A}/serviceaccounts/${a.sa}`, { metadata: { name: 'pwned' }, spec: { groupIDs: [] } }],
      ['DELETE', `${A}/serviceaccounts/${a.sa}`],
      ['GET', `${A}/projects/${a.project}`],
      ['PUT', `${A}/projects/${a.project}`, { metadata: { name: 'pwned' }, spec: { groupIDs: [] } }],
      ['DELETE', `${A}/projects/${a.project}`],
      ['POST', `${A}/projects`, { metadata: { name: 'pwned' }, spec: { groupIDs: [] } }],
      ['GET', `${A}/oauth2providers`],
      ['PUT', `${A}/oauth2providers/${a.provider}`, { metadata: { name: 'idp' }, spec: { issuer: 'https://evil.example', clientID: 'x' } }],
      ['DELETE', `${A}/oauth2providers/${a.provider}`],
      ['GET', `${A}/quotas`],
      ['PUT', `${A}/quotas`, { quotas: [] }],
      ['GET', `${A}/roles`],
      ['GET', `${A}/projects/${a.project}/allocations/${a.allocation}`],
      ['DELETE', `${A}/projects/${a.project}/allocations/${a.allocation}`],
    ];
    for (const attacker of attackers) {
      for (const [method, url, body] of calls) {
        const res = await attacker.client.request(method, url, body);
        assert.equal(res.status, 403, `${attacker.name}: ${method} ${url} -> ${res.status} ${res.text}`);
        assert.equal(res.body.error, 'forbidden');
      }
      // Collection endpoints that filter per project refuse outsiders too (issue 7).
      for (const url of [`${A}/projects`, `${A}/allocations`]) {
        const res = await attacker.client.get(url);
        assert.deepEqual([res.status, res.body.error], [403, 'forbidden'], `${attacker.name}: GET ${url}`);
      }
      const orgs = await attacker.client.get('/api/v1/organizations');
      assert.ok(!orgs.body.some((org: any) => org.metadata.id === a.org));
      assert.deepEqual((await attacker.client.get(`${A}/acl`)).body, {});
    }
    assert.equal(await snapshotA(), before, 'organization A is unchanged');
  });

  it("finds none of A's objects through B's own paths", async () => {
    const before = await snapshotA();
    const B = `/api/v1/organizations/${bOrg}`;
    const [orgAdmin] = attackers;
    const calls: [string, string, unknown?][] = [
      ['GET', `${B}/groups/${a.group}`],
      ['PUT', `${B}/groups/${a.group}`, { metadata: { name: 'x' }, spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [] } }],
      ['DELETE', `${B}/groups/${a.group}`],
      ['GET', `${B}/users/${a.user}`],
      ['DELETE', `${B}/users/${a.user}`],
      ['GET', `${B}/serviceaccounts/${a.sa}`],
      ['POST', `${B}/serviceaccounts/${a.sa}/rotate`],
      ['DELETE', `${B}/serviceaccounts/${a.sa}`],
      ['PUT', `${B}/serviceaccounts/${a.sa}`, { metadata: { name: 'x' }, spec: { groupIDs: [] } }],
      ['GET', `${B}/projects/${a.project}`],
      ['DELETE', `${B}/projects/${a.project}`],
      ['PUT', `${B}/projects/${a.project}`, { metadata: { name: 'x' }, spec: { groupIDs: [] } }],
      ['PUT', `${B}/oauth2providers/${a.provider}`, { metadata: { name: 'x' }, spec: { issuer: 'https://evil.example', clientID: 'x' } }],
      ['DELETE', `${B}/oauth2providers/${a.provider}`],
    ];
    for (const [method, url, body] of calls) {
      const res = await orgAdmin.client.request(method, url, body);
      assert.equal(res.status, 404, `${method} ${url} -> ${res.status} ${res.text}`);
      assert.equal(res.body.error, 'not_found');
    }
    // Even the platform administrator cannot reach A's allocation through B's path.
    const viaB = await ctx().admin.get(`${B}/projects/${a.project}/allocations/${a.allocation}`);
    assert.equal(viaB.status, 404);
    // Linking A's objects into B is refused.
    const link = await orgAdmin.client.post(`${B}/groups`, {
      metadata: { name: uniqueName('g') },
      spec: { userIDs: [a.user], serviceAccountIDs: [a.sa], roleIDs: [] },
    });
    assert.equal(link.status, 400);
    const project = await orgAdmin.client.post(`${B}/projects`, { metadata: { name: uniqueName('p') }, spec: { groupIDs: [a.group] } });
    assert.equal(project.status, 400);
    for (const path of ['groups', 'users', 'serviceaccounts', 'oauth2providers']) {
      const list = await orgAdmin.client.get(`${B}/${path}`);
      assert.ok(!JSON.stringify(list.body).includes(a.org), `B's ${path} shows nothing of A`);
    }
    assert.equal(await snapshotA(), before, 'organization A is unchanged');
  });
});
