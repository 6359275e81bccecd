import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createGroup, createOrganization, createProject, createServiceAccount, roleIds, userWithRole } from './fixtures.ts';
import { createdMetadata, suite, uniqueName } from './helpers.ts';

suite('groups and roles', (ctx) => {
  it('creates, reads, updates, lists and deletes a group with exact bodies', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const sa = await createServiceAccount(admin, org);
    const name = uniqueName('ops');
    const created = await admin.post(`/api/v1/organizations/${org}/groups`, {
      metadata: { name, description: 'Operators' },
      spec: { userIDs: [], serviceAccountIDs: [sa.id], roleIDs: [roleIds.reader] },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, {
      metadata: createdMetadata(created.body, { name, description: 'Operators', organizationId: org }),
      spec: { userIDs: [], serviceAccountIDs: [sa.id], roleIDs: [roleIds.reader] },
    });
    const id = created.body.metadata.id;
    assert.deepEqual((await admin.get(`/api/v1/organizations/${org}/groups/${id}`)).body, created.body);
    const update = await admin.put(`/api/v1/organizations/${org}/groups/${id}`, {
      metadata: { name },
      spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [roleIds.user, roleIds.reader] },
    });
    assert.equal(update.status, 200);
    assert.equal(update.text, '');
    const after = await admin.get(`/api/v1/organizations/${org}/groups/${id}`);
    assert.deepEqual(after.body.spec, { userIDs: [], serviceAccountIDs: [], roleIDs: [roleIds.user, roleIds.reader].sort() });
    const list = await admin.get(`/api/v1/organizations/${org}/groups`);
    assert.deepEqual(
      list.body.map((g: any) => g.metadata.id),
      [id],
    );
    assert.equal((await admin.delete(`/api/v1/organizations/${org}/groups/${id}`)).status, 200);
    const gone = await admin.get(`/api/v1/organizations/${org}/groups/${id}`);
    assert.deepEqual(gone.body, { error: 'not_found', error_description: 'group not found' });
    assert.equal((await admin.delete(`/api/v1/organizations/${org}/groups/${id}`)).status, 404);
    assert.equal(
      (await admin.put(`/api/v1/organizations/${org}/groups/${id}`, { metadata: { name }, spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [] } })).status,
      404,
    );
  });

  it('refuses duplicate names, unknown and foreign member IDs, unknown roles, all without writing', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const other = await createOrganization(admin);
    const foreignSa = await createServiceAccount(admin, other);
    const name = uniqueName('g');
    await admin.post(`/api/v1/organizations/${org}/groups`, { metadata: { name }, spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [] } });
    const dup = await admin.post(`/api/v1/organizations/${org}/groups`, { metadata: { name }, spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [] } });
    assert.deepEqual(dup.body, { error: 'conflict', error_description: 'a group with this name already exists' });
    const foreign = await admin.post(`/api/v1/organizations/${org}/groups`, {
      metadata: { name: uniqueName('g') },
      spec: { userIDs: [], serviceAccountIDs: [foreignSa.id], roleIDs: [] },
    });
    assert.equal(foreign.status, 400);
    assert.deepEqual(foreign.body, {
      error: 'invalid_request',
      error_description: `spec.serviceAccountIDs names unknown IDs in this organization: ${foreignSa.id}`,
    });
    const unknownUser = '00000000-0000-4000-8000-000000000001';
    const badUser = await admin.post(`/api/v1/organizations/${org}/groups`, {
      metadata: { name: uniqueName('g') },
      spec: { userIDs: [unknownUser], serviceAccountIDs: [], roleIDs: [] },
    });
    assert.equal(badUser.body.error_description, `spec.userIDs names unknown IDs in this organization: ${unknownUser}`);
    const badRole = await admin.post(`/api/v1/organizations/${org}/groups`, {
      metadata: { name: uniqueName('g') },
      spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [unknownUser] },
    });
    assert.deepEqual(badRole.body, { error: 'invalid_request', error_description: `spec.roleIDs names unknown roles: ${unknownUser}` });
    const list = await admin.get(`/api/v1/organizations/${org}/groups`);
    assert.equal(list.body.length, 1, 'only the first group was written');
  });

  it('never lets anyone grant a protected role or a role beyond their own permissions', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    const spec = (role: string) => ({ metadata: { name: uniqueName('g') }, spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [role] } });
    const protectedRole = await orgAdmin.client.post(`/api/v1/organizations/${org}/groups`, spec(roleIds['platform-administrator']));
    assert.deepEqual(protectedRole.body, { error: 'forbidden', error_description: 'the role "platform-administrator" is protected and cannot be granted' });
    const ok = await orgAdmin.client.post(`/api/v1/organizations/${org}/groups`, spec(roleIds.user));
    assert.equal(ok.status, 201, ok.text);
    // The platform administrator may grant every unprotected role, but no protected one either.
    assert.equal((await admin.post(`/api/v1/organizations/${org}/groups`, spec(roleIds['platform-administrator']))).status, 403);
  });

  it("refuses to hand out, through group membership, a role beyond the caller's permissions", async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    // A role seeded by another service: platform administrators hold its permissions,
    // organization administrators do not.
    const serverRole = '11111111-2222-4333-8444-555555555555';
    await ctx().db.query(
      `INSERT INTO roles (id, name, description, scopes) VALUES ($1, $2, 'Servers', '{"organization":{"region:servers":["create","read","update","delete"]}}')
       ON CONFLICT DO NOTHING`,
      [serverRole, 'server-operator'],
      { notes: true },
    );
    const operators = await createGroup(admin, org, { roleIDs: [serverRole] });
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    const direct = await orgAdmin.client.post(`/api/v1/organizations/${org}/groups`, {
      metadata: { name: uniqueName('g') },
      spec: { userIDs: [], serviceAccountIDs: [], roleIDs: [serverRole] },
    });
    assert.deepEqual(direct.body, {
      error: 'forbidden',
      error_description: 'the role "server-operator" holds permissions the caller lacks, so the caller cannot grant it',
    });
    const viaMembership = {
      error: 'forbidden',
      error_description: 'a group in spec.groupIDs grants the role "server-operator", which holds permissions the caller lacks',
    };
    const user = await orgAdmin.client.post(`/api/v1/organizations/${org}/users`, {
      spec: { subject: `${uniqueName('u')}@example.com`, state: 'active', groupIDs: [operators] },
    });
    assert.deepEqual(user.body, viaMembership);
    const sa = await orgAdmin.client.post(`/api/v1/organizations/${org}/serviceaccounts`, {
      metadata: { name: uniqueName('sa') },
      spec: { groupIDs: [operators] },
    });
    assert.deepEqual(sa.body, viaMembership);
    const project = await orgAdmin.client.post(`/api/v1/organizations/${org}/projects`, {
      metadata: { name: uniqueName('p') },
      spec: { groupIDs: [operators] },
    });
    assert.deepEqual(project.body, viaMembership);
    // The platform administrator holds every permission globally and may.
    const byPlatform = await admin.post(`/api/v1/organizations/${org}/serviceaccounts`, {
      metadata: { name: uniqueName('sa') },
      spec: { groupIDs: [operators] },
    });
    assert.equal(byPlatform.status, 201);
    await ctx().db.query('DELETE FROM roles WHERE id = $1', [serverRole], { notes: true }); // other tests list roles
  });

  it('lists only the roles the caller could grant, never protected ones', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const names = (res: any) => res.body.map((r: any) => r.metadata.name).sort();
    assert.deepEqual(names(await admin.get(`/api/v1/organizations/${org}/roles`)), ['administrator', 'auditor', 'reader', 'user']);
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    const roles = await orgAdmin.client.get(`/api/v1/organizations/${org}/roles`);
    assert.deepEqual(names(roles), ['administrator', 'auditor', 'reader', 'user']);
    assert.deepEqual(
      roles.body.find((r: any) => r.metadata.name === 'reader'),
      {
        metadata: {
          id: roleIds.reader,
          name: 'reader',
          description: 'Project reader',
          creationTime: roles.body[0].metadata.creationTime,
          provisioningStatus: 'provisioned',
          healthStatus: 'healthy',
        },
      },
    );
  });

  it('deleting a group removes it from projects, and its members lose what it granted', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const project = await createProject(admin, org);
    const user = await userWithRole(ctx(), org, 'user', [project]);
    assert.equal((await user.client.get(`/api/v1/organizations/${org}/projects/${project}`)).status, 200);
    const projectBefore = await admin.get(`/api/v1/organizations/${org}/projects/${project}`);
    const [groupId] = projectBefore.body.spec.groupIDs;
    assert.equal((await admin.delete(`/api/v1/organizations/${org}/groups/${groupId}`)).status, 200);
    const projectAfter = await admin.get(`/api/v1/organizations/${org}/projects/${project}`);
    assert.deepEqual(projectAfter.body.spec.groupIDs, []);
    assert.equal((await user.client.get(`/api/v1/organizations/${org}/projects/${project}`)).status, 403);
  });

  it('serves the ACL of the caller, globally and per organization', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const project = await createProject(admin, org);
    const user = await userWithRole(ctx(), org, 'reader', [project]);
    const acl = await user.client.get(`/api/v1/organizations/${org}/acl`);
    assert.equal(acl.status, 200);
    assert.deepEqual(acl.body.organization.id, org);
    assert.deepEqual(
      acl.body.organization.endpoints.find((e: any) => e.name === 'identity:quotas'),
      { name: 'identity:quotas', operations: ['read'] },
    );
    assert.deepEqual(acl.body.projects, [
      {
        id: project,
        endpoints: [
          { name: 'application:applications', operations: ['read'] },
          { name: 'application:applicationsets', operations: ['read'] },
          { name: 'compute:clusters', operations: ['read'] },
          { name: 'identity:projects', operations: ['read'] },
          { name: 'kubernetes:clusters', operations: ['read'] },
          { name: 'kubernetes:virtualclusters', operations: ['read'] },
        ],
      },
    ]);
    assert.equal(acl.body.global, undefined);
    assert.deepEqual((await user.client.get('/api/v1/acl')).body, {});
    const platform = await admin.get('/api/v1/acl');
    assert.deepEqual(
      platform.body.global.find((e: any) => e.name === 'identity:organizations'),
      {
        name: 'identity:organizations',
        operations: ['create', 'read', 'update', 'delete'],
      },
    );
    const other = await createOrganization(admin);
    assert.deepEqual((await user.client.get(`/api/v1/organizations/${other}/acl`)).body, {});
  });
});
