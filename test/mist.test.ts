/**
 * The Mist face (issue 9): organization API tokens through Juniper Mist's API, checked against
 * Mist's own OpenAPI file, over Tessera's API tokens; the same token through all three APIs.
 */
import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import { createGroup, createOrganization, createProject, userWithRole } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';
import { conformsTo } from './support/upstream-spec.ts';

const spec = 'mist-org-apitokens.openapi.json';
const conforms = (t: TestContext, schema: string, value: unknown) => conformsTo(t, spec, schema, value);

suite('Mist face', (ctx) => {
  const base = (org: string) => `/api/v1/orgs/${org}/apitokens`;

  it('creates (200, key once), lists, reads (key masked), replaces and deletes tokens as Mist does', async (t) => {
    const admin = ctx().admin;
    const name = uniqueName('acme');
    const org = await createOrganization(admin, name);
    const created = await admin.post(base(org), {
      name: 'org_token_xyz',
      privileges: [{ scope: 'org', role: 'read' }],
      src_ips: ['63.3.56.0/24', '127.0.0.1'],
    });
    assert.equal(created.status, 200, created.text);
    await conforms(t, 'org_apitoken', created.body);
    assert.match(created.body.key, /^tsr_oat_/);
    assert.deepEqual(created.body.privileges, [{ scope: 'org', role: 'read', org_id: org }]);
    assert.equal(created.body.created_by, null, 'the bootstrap credential has no email');
    assert.equal(typeof created.body.created_time, 'number');
    const key = created.body.key as string;
    const id = created.body.id;

    const listed = await admin.get(base(org));
    await conforms(t, 'org_apitokens', listed.body);
    assert.equal(listed.body[0].key, `${key.slice(0, 4)}...${key.slice(-4)}`);

    const viaToken = await ctx().anonymous.request('GET', `/api/v1/organizations/${org}/groups`, undefined, { authorization: `Token ${key}` });
    assert.equal(viaToken.status, 200, 'the key works on /api/v1 with its privileges');
    const viaMist = await ctx().anonymous.request(
      'POST',
      base(org),
      { name: 'more', privileges: [{ scope: 'org', role: 'read' }] },
      { authorization: `Token ${key}` },
    );
    assert.deepEqual([viaMist.status, viaMist.body], [403, { detail: 'You do not have permission to perform this action.' }], 'read does not create tokens');
    await conforms(t, 'response_http403', viaMist.body);

    const replaced = await admin.put(`${base(org)}/${id}`, { name: 'renamed', privileges: [{ scope: 'org', role: 'admin' }], src_ips: ['10.0.0.0/8'] });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual([replaced.body.name, replaced.body.privileges[0].role, replaced.body.src_ips], ['renamed', 'admin', ['10.0.0.0/8']]);
    const docker = await admin.get(`/v2/orgs/${name}/access-tokens/${id}`);
    const native = await admin.get(`/api/v1/organizations/${org}/apitokens/${id}`);
    assert.deepEqual(
      [docker.body.label, native.body.metadata.name, native.body.spec.sourceIPs],
      ['renamed', 'renamed', ['10.0.0.0/8']],
      'one token, three APIs',
    );

    assert.equal((await admin.delete(`${base(org)}/${id}`)).status, 200);
    const gone = await admin.get(`${base(org)}/${id}`);
    assert.deepEqual([gone.status, gone.body], [404, { id }]);
    await conforms(t, 'response_http404', gone.body);
  });

  it('takes back what it returns: privileges[].org_id of the path’s organization, and a PUT without privileges keeps them', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const created = await admin.post(base(org), { name: 'org_token_xyz', privileges: [{ org_id: org, role: 'read', scope: 'org' }] });
    assert.equal(created.status, 200, created.text);
    const url = `${base(org)}/${created.body.id}`;
    // The reference's own update example, with this organization's ID.
    const example = await admin.put(url, { name: 'org_token_xyz', privileges: [{ org_id: org, role: 'admin', scope: 'org' }] });
    assert.equal(example.status, 200, example.text);
    const read = (await admin.get(url)).body;
    const writtenBack = await admin.put(url, read);
    assert.equal(writtenBack.status, 200, writtenBack.text);
    assert.deepEqual(writtenBack.body, read, 'a token read and written back is unchanged');
    const renamed = await admin.put(url, { name: 'renamed' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual([renamed.body.name, renamed.body.privileges], ['renamed', [{ scope: 'org', role: 'admin', org_id: org }]]);

    const other = await createOrganization(admin);
    const foreign = await admin.put(url, { name: 'stolen', privileges: [{ org_id: other, role: 'admin', scope: 'org' }] });
    assert.deepEqual(
      [foreign.status, foreign.body],
      [400, { detail: `privileges[0].org_id is another organization's ID; a token holds privileges in its own organization (${org}) only` }],
    );
    assert.equal((await admin.get(url)).body.name, 'renamed', 'the refused update changed nothing');
    const foreignCreate = await admin.post(base(org), { name: 'x', privileges: [{ org_id: other, role: 'read', scope: 'org' }] });
    assert.equal(foreignCreate.status, 400);
  });

  it('maps sites to projects and site groups to the projects of a group', async (t) => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const group = await createGroup(admin, org);
    const p1 = await createProject(admin, org, [group]);
    const p2 = await createProject(admin, org, [group]);
    const site = await createProject(admin, org);
    const created = await admin.post(base(org), {
      name: 'sites',
      privileges: [
        { scope: 'site', role: 'read', site_id: site },
        { scope: 'sitegroup', role: 'write', sitegroup_id: group },
      ],
    });
    assert.equal(created.status, 200, created.text);
    const sites = created.body.privileges.map((p: any) => [p.scope, p.role, p.site_id]).sort((a: any, b: any) => a[2].localeCompare(b[2]));
    assert.deepEqual(
      sites,
      [
        ['site', 'read', site],
        ['site', 'write', p1],
        ['site', 'write', p2],
      ].sort((a, b) => a[2]!.localeCompare(b[2]!)),
    );
    const helpdesk = await admin.post(base(org), { name: 'h', privileges: [{ scope: 'org', role: 'helpdesk' }] });
    assert.deepEqual([helpdesk.status, helpdesk.body], [400, { detail: 'role "helpdesk" is not defined on this platform' }]);
    await conforms(t, 'response_http400', helpdesk.body);
  });

  it('answers in Mist’s words, keeps organizations apart, and writes nothing on bad input', async (t) => {
    const a = await createOrganization(ctx().admin);
    const b = await createOrganization(ctx().admin);
    const none = await ctx().anonymous.get(base(a));
    assert.deepEqual([none.status, none.body], [401, { detail: 'Authentication credentials were not provided.' }]);
    await conforms(t, 'response_http401', none.body);
    const bAdmin = await userWithRole(ctx(), b, 'administrator');
    const tokenOfA = (await ctx().admin.post(base(a), { name: 'a', privileges: [{ scope: 'org', role: 'read' }] })).body.id;
    for (const [method, path] of [
      ['GET', base(a)],
      ['POST', base(a)],
      ['GET', `${base(a)}/${tokenOfA}`],
      ['PUT', `${base(a)}/${tokenOfA}`],
      ['DELETE', `${base(a)}/${tokenOfA}`],
    ] as const) {
      const write = method === 'PUT' || method === 'POST';
      const res = await bAdmin.client.request(method, path, write ? { name: 'x', privileges: [{ scope: 'org', role: 'read' }] } : undefined);
      assert.deepEqual([res.status, res.body], [403, { detail: 'You do not have permission to perform this action.' }], `${method} ${path}`);
    }
    assert.deepEqual((await bAdmin.client.get(`${base(b)}/${tokenOfA}`)).body, { id: tokenOfA }, 'A’s token is not in B');
    assert.equal((await ctx().admin.get(base(a))).body.length, 1, 'A is untouched');
    for (const payload of [
      { name: 'x', privileges: [] },
      { name: 'x', privileges: [{ scope: 'planet', role: 'read' }] },
      { name: 'x', privileges: [{ scope: 'org', role: 'read' }], src_ips: ['300.1.1.1'] },
      { privileges: [{ scope: 'org', role: 'read' }] },
    ]) {
      const res = await ctx().admin.post(base(b), payload);
      assert.equal(res.status, 400, JSON.stringify(payload));
      assert.deepEqual(Object.keys(res.body), ['detail']);
    }
    const huge = await ctx().admin.request('POST', base(b), `{"name":"${'x'.repeat(10 * 1024 * 1024)}"}`, { 'content-type': 'application/json' });
    assert.deepEqual([huge.status, Object.keys(huge.body)], [400, ['detail']]);
    await conforms(t, 'response_http400', huge.body);
    assert.deepEqual((await ctx().admin.get(base(b))).body, []);
  });
});
