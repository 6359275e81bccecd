import assert from 'node:assert/strict';
import { it } from 'node:test';
import { purgeDeleted } from '../src/deprovisioner.ts';
import { createGroup, createOrganization, createProject, userWithRole } from './fixtures.ts';
import { createdMetadata, suite, uniqueName } from './helpers.ts';

suite('projects', (ctx) => {
  it('creates with 202, reads, updates with an empty 200, and deletes asynchronously', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const group = await createGroup(admin, org);
    const name = uniqueName('web');
    const created = await admin.post(`/api/v1/organizations/${org}/projects`, { metadata: { name }, spec: { groupIDs: [group] } });
    assert.equal(created.status, 202);
    assert.deepEqual(created.body, {
      metadata: createdMetadata(created.body, { name, organizationId: org }),
      spec: { groupIDs: [group] },
    });
    const id = created.body.metadata.id;
    const put = await admin.put(`/api/v1/organizations/${org}/projects/${id}`, { metadata: { name, description: 'Web' }, spec: { groupIDs: [] } });
    assert.equal(put.status, 200);
    assert.equal(put.text, '');
    const read = await admin.get(`/api/v1/organizations/${org}/projects/${id}`);
    assert.equal(read.body.metadata.description, 'Web');
    assert.deepEqual(read.body.spec, { groupIDs: [] });
    const del = await admin.delete(`/api/v1/organizations/${org}/projects/${id}`);
    assert.equal(del.status, 202);
    assert.equal(del.text, '');
    const deleting = await admin.get(`/api/v1/organizations/${org}/projects/${id}`);
    assert.equal(deleting.body.metadata.provisioningStatus, 'deprovisioning');
    assert.ok(deleting.body.metadata.deletionTime);
    const write = await admin.put(`/api/v1/organizations/${org}/projects/${id}`, { metadata: { name }, spec: { groupIDs: [] } });
    assert.deepEqual(write.body, { error: 'conflict', error_description: 'the project is being deleted' });
    await purgeDeleted(ctx().built.core);
    assert.deepEqual((await admin.get(`/api/v1/organizations/${org}/projects/${id}`)).body, { error: 'not_found', error_description: 'project not found' });
  });

  it('refuses a duplicate name and a foreign group', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const foreign = await createGroup(admin, await createOrganization(admin));
    const name = uniqueName('p');
    await admin.post(`/api/v1/organizations/${org}/projects`, { metadata: { name }, spec: { groupIDs: [] } });
    const dup = await admin.post(`/api/v1/organizations/${org}/projects`, { metadata: { name }, spec: { groupIDs: [] } });
    assert.deepEqual(dup.body, { error: 'conflict', error_description: 'a project with this name already exists' });
    const bad = await admin.post(`/api/v1/organizations/${org}/projects`, { metadata: { name: uniqueName('p') }, spec: { groupIDs: [foreign] } });
    assert.deepEqual(bad.body, { error: 'invalid_request', error_description: `spec.groupIDs names unknown IDs in this organization: ${foreign}` });
  });

  it('lists every project for organization readers and only granted projects for project members', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const mine = await createProject(admin, org);
    await createProject(admin, org);
    const member = await userWithRole(ctx(), org, 'user', [mine]);
    const list = await member.client.get(`/api/v1/organizations/${org}/projects`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.map((p: any) => p.metadata.id),
      [mine],
    );
    const auditor = await userWithRole(ctx(), org, 'auditor');
    assert.equal((await auditor.client.get(`/api/v1/organizations/${org}/projects`)).body.length, 2);
  });
});
