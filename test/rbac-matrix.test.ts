/**
 * Every endpoint against administrator, user, reader, auditor and a service account with no
 * role: allowed calls succeed, denied calls get exactly 403 `forbidden`.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createGroup, createOrganization, createProject, createServiceAccount, serviceAccountWithRole, userWithRole } from './fixtures.ts';
import { type Client, suite, type TestContext, uniqueName } from './helpers.ts';

type Who = 'administrator' | 'user' | 'reader' | 'auditor' | 'serviceaccount';
const everyone: Who[] = ['administrator', 'user', 'reader', 'auditor', 'serviceaccount'];

interface World {
  org: string;
  project: string;
  selfServiceAccount: string;
}

interface Row {
  name: string;
  allowed: Who[];
  /** Builds a fresh request (resources it consumes are made here with the admin client). */
  request(ctx: TestContext, world: World): Promise<[method: string, url: string, body?: unknown]>;
}

const meta = () => ({ name: uniqueName('m') });
const groupBody = () => ({ metadata: meta(), spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [] } });
const providerBody = () => ({ metadata: meta(), spec: { issuer: 'https://idp.example.com', clientID: 'c' } });
const allocationBody = () => ({
  metadata: meta(),
  spec: { kind: 'cluster', id: uniqueName('c'), allocations: [{ kind: 'servers', committed: 1, reserved: 0 }] },
});

async function orgProvider(ctx: TestContext, org: string) {
  return (await ctx.admin.post(`/api/v1/organizations/${org}/oauth2providers`, providerBody())).body.metadata.id as string;
}
async function systemProvider(ctx: TestContext) {
  return (await ctx.admin.post('/api/v1/oauth2providers', providerBody())).body.metadata.id as string;
}
async function oauthClient(ctx: TestContext) {
  return (await ctx.admin.post('/api/v1/oauth2clients', { metadata: meta(), spec: { redirectURIs: ['https://app.example/cb'] } })).body.status
    .clientID as string;
}
async function allocationIn(ctx: TestContext, w: World) {
  return (await ctx.admin.post(`/api/v1/organizations/${w.org}/projects/${w.project}/allocations`, allocationBody())).body.metadata.id as string;
}
async function userIn(ctx: TestContext, org: string) {
  const email = `${uniqueName('m')}@example.com`;
  return (await ctx.admin.post(`/api/v1/organizations/${org}/users`, { spec: { subject: email, state: 'active', groupIDs: [] } })).body.metadata.id as string;
}

const tokenBody = () => ({ metadata: meta(), spec: { privileges: [] } });
async function tokenIn(ctx: TestContext, w: World) {
  return (await ctx.admin.post(`/api/v1/organizations/${w.org}/apitokens`, tokenBody())).body.metadata.id as string;
}

const o = (w: World) => `/api/v1/organizations/${w.org}`;
const rows: Row[] = [
  { name: 'list organizations', allowed: everyone, request: async () => ['GET', '/api/v1/organizations'] },
  {
    name: 'create organization',
    allowed: [],
    request: async () => ['POST', '/api/v1/organizations', { metadata: meta(), spec: { organizationType: 'adhoc' } }],
  },
  { name: 'get organization', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', o(w)] },
  {
    name: 'update organization',
    allowed: ['administrator'],
    request: async (c, w) => ['PUT', o(w), { metadata: { name: (await c.admin.get(o(w))).body.metadata.name }, spec: { organizationType: 'adhoc' } }],
  },
  { name: 'delete organization', allowed: [], request: async (c) => ['DELETE', `/api/v1/organizations/${await createOrganization(c.admin)}`] },
  { name: 'get acl', allowed: everyone, request: async () => ['GET', '/api/v1/acl'] },
  { name: 'get organization acl', allowed: everyone, request: async (_c, w) => ['GET', `${o(w)}/acl`] },
  { name: 'list roles', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/roles`] },
  { name: 'list groups', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/groups`] },
  { name: 'create group', allowed: ['administrator'], request: async (_c, w) => ['POST', `${o(w)}/groups`, groupBody()] },
  { name: 'get group', allowed: ['administrator', 'auditor'], request: async (c, w) => ['GET', `${o(w)}/groups/${await createGroup(c.admin, w.org)}`] },
  { name: 'update group', allowed: ['administrator'], request: async (c, w) => ['PUT', `${o(w)}/groups/${await createGroup(c.admin, w.org)}`, groupBody()] },
  { name: 'delete group', allowed: ['administrator'], request: async (c, w) => ['DELETE', `${o(w)}/groups/${await createGroup(c.admin, w.org)}`] },
  { name: 'list users', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/users`] },
  {
    name: 'create user',
    allowed: ['administrator'],
    request: async (_c, w) => ['POST', `${o(w)}/users`, { spec: { subject: `${uniqueName('n')}@example.com`, state: 'active', groupIDs: [] } }],
  },
  { name: 'get user', allowed: ['administrator', 'auditor'], request: async (c, w) => ['GET', `${o(w)}/users/${await userIn(c, w.org)}`] },
  {
    name: 'update user',
    allowed: ['administrator'],
    request: async (c, w) => {
      const id = await userIn(c, w.org);
      const current = await c.admin.get(`${o(w)}/users/${id}`);
      return ['PUT', `${o(w)}/users/${id}`, { spec: { ...current.body.spec, state: 'suspended' } }];
    },
  },
  { name: 'delete user', allowed: ['administrator'], request: async (c, w) => ['DELETE', `${o(w)}/users/${await userIn(c, w.org)}`] },
  { name: 'list service accounts', allowed: ['administrator', 'auditor', 'serviceaccount'], request: async (_c, w) => ['GET', `${o(w)}/serviceaccounts`] },
  {
    name: 'create service account',
    allowed: ['administrator'],
    request: async (_c, w) => ['POST', `${o(w)}/serviceaccounts`, { metadata: meta(), spec: { groupIDs: [] } }],
  },
  {
    name: 'get service account',
    allowed: ['administrator', 'auditor'],
    request: async (c, w) => ['GET', `${o(w)}/serviceaccounts/${(await createServiceAccount(c.admin, w.org)).id}`],
  },
  {
    name: 'get own service account',
    allowed: ['administrator', 'auditor', 'serviceaccount'],
    request: async (_c, w) => ['GET', `${o(w)}/serviceaccounts/${w.selfServiceAccount}`],
  },
  {
    name: 'update service account',
    allowed: ['administrator'],
    request: async (c, w) => [
      'PUT',
      `${o(w)}/serviceaccounts/${(await createServiceAccount(c.admin, w.org)).id}`,
      { metadata: meta(), spec: { groupIDs: [] } },
    ],
  },
  {
    name: 'delete service account',
    allowed: ['administrator'],
    request: async (c, w) => ['DELETE', `${o(w)}/serviceaccounts/${(await createServiceAccount(c.admin, w.org)).id}`],
  },
  {
    name: 'rotate service account',
    allowed: ['administrator'],
    request: async (c, w) => ['POST', `${o(w)}/serviceaccounts/${(await createServiceAccount(c.admin, w.org)).id}/rotate`],
  },
  { name: 'list projects', allowed: everyone, request: async (_c, w) => ['GET', `${o(w)}/projects`] },
  { name: 'create project', allowed: ['administrator'], request: async (_c, w) => ['POST', `${o(w)}/projects`, { metadata: meta(), spec: { groupIDs: [] } }] },
  { name: 'get member project', allowed: ['administrator', 'user', 'reader', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/projects/${w.project}`] },
  {
    name: 'get other project',
    allowed: ['administrator', 'auditor'],
    request: async (c, w) => ['GET', `${o(w)}/projects/${await createProject(c.admin, w.org)}`],
  },
  {
    name: 'update project',
    allowed: ['administrator'],
    request: async (c, w) => ['PUT', `${o(w)}/projects/${await createProject(c.admin, w.org)}`, { metadata: meta(), spec: { groupIDs: [] } }],
  },
  { name: 'delete project', allowed: ['administrator'], request: async (c, w) => ['DELETE', `${o(w)}/projects/${await createProject(c.admin, w.org)}`] },
  { name: 'list organization providers', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/oauth2providers`] },
  { name: 'create organization provider', allowed: ['administrator'], request: async (_c, w) => ['POST', `${o(w)}/oauth2providers`, providerBody()] },
  {
    name: 'update organization provider',
    allowed: ['administrator'],
    request: async (c, w) => ['PUT', `${o(w)}/oauth2providers/${await orgProvider(c, w.org)}`, providerBody()],
  },
  {
    name: 'delete organization provider',
    allowed: ['administrator'],
    request: async (c, w) => ['DELETE', `${o(w)}/oauth2providers/${await orgProvider(c, w.org)}`],
  },
  { name: 'list system providers', allowed: everyone, request: async () => ['GET', '/api/v1/oauth2providers'] },
  { name: 'create system provider', allowed: [], request: async () => ['POST', '/api/v1/oauth2providers', providerBody()] },
  { name: 'update system provider', allowed: [], request: async (c) => ['PUT', `/api/v1/oauth2providers/${await systemProvider(c)}`, providerBody()] },
  { name: 'delete system provider', allowed: [], request: async (c) => ['DELETE', `/api/v1/oauth2providers/${await systemProvider(c)}`] },
  { name: 'list oauth2 clients', allowed: [], request: async () => ['GET', '/api/v1/oauth2clients'] },
  {
    name: 'create oauth2 client',
    allowed: [],
    request: async () => ['POST', '/api/v1/oauth2clients', { metadata: meta(), spec: { redirectURIs: ['https://app.example/cb'] } }],
  },
  { name: 'get oauth2 client', allowed: [], request: async (c) => ['GET', `/api/v1/oauth2clients/${await oauthClient(c)}`] },
  {
    name: 'update oauth2 client',
    allowed: [],
    request: async (c) => ['PUT', `/api/v1/oauth2clients/${await oauthClient(c)}`, { metadata: meta(), spec: { redirectURIs: ['https://app.example/cb'] } }],
  },
  { name: 'delete oauth2 client', allowed: [], request: async (c) => ['DELETE', `/api/v1/oauth2clients/${await oauthClient(c)}`] },
  { name: 'get quotas', allowed: ['administrator', 'user', 'reader', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/quotas`] },
  { name: 'set quotas', allowed: [], request: async (_c, w) => ['PUT', `${o(w)}/quotas`, { quotas: [] }] },
  { name: 'list allocations', allowed: everyone, request: async (_c, w) => ['GET', `${o(w)}/allocations`] },
  { name: 'create allocation', allowed: [], request: async (_c, w) => ['POST', `${o(w)}/projects/${w.project}/allocations`, allocationBody()] },
  { name: 'get allocation', allowed: [], request: async (c, w) => ['GET', `${o(w)}/projects/${w.project}/allocations/${await allocationIn(c, w)}`] },
  {
    name: 'update allocation',
    allowed: [],
    request: async (c, w) => ['PUT', `${o(w)}/projects/${w.project}/allocations/${await allocationIn(c, w)}`, allocationBody()],
  },
  { name: 'delete allocation', allowed: [], request: async (c, w) => ['DELETE', `${o(w)}/projects/${w.project}/allocations/${await allocationIn(c, w)}`] },
  { name: 'list API tokens', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/apitokens`] },
  { name: 'create API token', allowed: ['administrator'], request: async (_c, w) => ['POST', `${o(w)}/apitokens`, tokenBody()] },
  { name: 'get API token', allowed: ['administrator', 'auditor'], request: async (c, w) => ['GET', `${o(w)}/apitokens/${await tokenIn(c, w)}`] },
  { name: 'update API token', allowed: ['administrator'], request: async (c, w) => ['PUT', `${o(w)}/apitokens/${await tokenIn(c, w)}`, tokenBody()] },
  { name: 'rotate API token', allowed: ['administrator'], request: async (c, w) => ['POST', `${o(w)}/apitokens/${await tokenIn(c, w)}/rotate`, {}] },
  { name: 'delete API token', allowed: ['administrator'], request: async (c, w) => ['DELETE', `${o(w)}/apitokens/${await tokenIn(c, w)}`] },
  { name: 'get API token policy', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/apitokenpolicy`] },
  {
    name: 'set API token policy',
    allowed: ['administrator'],
    request: async (_c, w) => ['PUT', `${o(w)}/apitokenpolicy`, { maxLifetimeSeconds: null, requireExpiry: false, maxTokens: 1000, rateLimitPerHour: 5000 }],
  },
  { name: 'list organization audit events', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/auditlogs`] },
  { name: 'list platform audit events', allowed: [], request: async () => ['GET', '/api/v1/auditlogs'] },
  { name: 'get organization OIDC claims', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/oidcclaims`] },
  { name: 'patch organization OIDC claims', allowed: ['administrator'], request: async (_c, w) => ['PATCH', `${o(w)}/oidcclaims`, { ttl: '1h' }] },
  { name: 'reset organization OIDC claims', allowed: ['administrator'], request: async (_c, w) => ['DELETE', `${o(w)}/oidcclaims?claims=ttl`] },
  { name: 'get project OIDC claims', allowed: ['administrator', 'auditor'], request: async (_c, w) => ['GET', `${o(w)}/projects/${w.project}/oidcclaims`] },
  {
    name: 'list trust policies',
    allowed: ['administrator', 'auditor'],
    request: async (_c, w) => ['GET', `${o(w)}/serviceaccounts/${w.selfServiceAccount}/trustpolicies`],
  },
  {
    name: 'create trust policy',
    allowed: ['administrator'],
    request: async (c, w) => [
      'POST',
      `${o(w)}/serviceaccounts/${(await createServiceAccount(c.admin, w.org)).id}/trustpolicies`,
      { issuer: 'https://ci.example', audiences: ['tessera'], subjectPattern: '*' },
    ],
  },
  { name: 'mint a workload token', allowed: ['administrator'], request: async (_c, w) => ['POST', `${o(w)}/projects/${w.project}/workloadtokens`, {}] },
  {
    name: 'patch project OIDC claims',
    allowed: ['administrator'],
    request: async (_c, w) => ['PATCH', `${o(w)}/projects/${w.project}/oidcclaims`, { ttl: '1h' }],
  },
];

suite('RBAC matrix', (ctx) => {
  let world: World;
  const clients = {} as Record<Who, Client>;

  before(async () => {
    const c = ctx();
    const org = await createOrganization(c.admin);
    const project = await createProject(c.admin, org);
    await c.admin.put(`/api/v1/organizations/${org}/quotas`, { quotas: [{ kind: 'servers', quantity: 1000 }] });
    for (const role of ['administrator', 'user', 'reader', 'auditor'] as const) {
      clients[role] = (await userWithRole(c, org, role, [project])).client;
    }
    const sa = await serviceAccountWithRole(c, org, null);
    clients.serviceaccount = sa.client;
    world = { org, project, selfServiceAccount: sa.id };
  });

  for (const row of rows) {
    it(row.name, async () => {
      for (const who of everyone) {
        const [method, url, body] = await row.request(ctx(), world);
        const res = await clients[who].request(method, url, body);
        if (row.allowed.includes(who)) {
          assert.ok(res.status >= 200 && res.status < 300, `${who}: ${method} ${url} -> ${res.status} ${res.text}`);
        } else {
          assert.equal(res.status, 403, `${who}: ${method} ${url} -> ${res.status} ${res.text}`);
          assert.equal(res.body.error, 'forbidden');
        }
      }
    });
  }

  it('lists to each caller only the roles within its own permissions', async () => {
    const names = async (who: Who) => (await clients[who].get(`/api/v1/organizations/${world.org}/roles`)).body.map((r: any) => r.metadata.name).sort();
    assert.deepEqual(await names('administrator'), ['administrator', 'auditor', 'reader', 'user']);
    // Read-only roles only: "user" creates clusters, which an auditor may not.
    assert.deepEqual(await names('auditor'), ['auditor', 'reader']);
  });
});
