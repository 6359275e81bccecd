import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createOrganization, createProject, userWithRole } from './fixtures.ts';
import { createdMetadata, suite, uniqueName } from './helpers.ts';

const allocation = (servers: number, gpus = 0, id = uniqueName('cluster')) => ({
  metadata: { name: id },
  spec: {
    kind: 'kubernetescluster',
    id,
    allocations: [
      { kind: 'servers', committed: servers, reserved: 0 },
      { kind: 'gpus', committed: 0, reserved: gpus },
    ],
  },
});

suite('quotas and allocations', (ctx) => {
  it('reads defaults, then sets quotas and reports usage', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const defaults = await admin.get(`/api/v1/organizations/${org}/quotas`);
    assert.equal(defaults.status, 200);
    assert.deepEqual(defaults.body, {
      quotas: [
        {
          kind: 'clusters',
          quantity: 5,
          used: 0,
          free: 5,
          committed: 0,
          reserved: 0,
          displayName: 'Clusters',
          description: 'All cluster types e.g. Kubernetes, compute, etc.',
          default: 5,
        },
        {
          kind: 'gpus',
          quantity: 40,
          used: 0,
          free: 40,
          committed: 0,
          reserved: 0,
          displayName: 'GPUs',
          description: 'General purpose GPUs for AI workloads.',
          default: 40,
        },
        {
          kind: 'servers',
          quantity: 10,
          used: 0,
          free: 10,
          committed: 0,
          reserved: 0,
          displayName: 'Servers',
          description: 'All physical and virtual machines.',
          default: 10,
        },
      ],
    });
    const project = await createProject(admin, org);
    const created = await admin.post(`/api/v1/organizations/${org}/projects/${project}/allocations`, allocation(3, 2));
    assert.equal(created.status, 201, created.text);
    const set = await admin.put(`/api/v1/organizations/${org}/quotas`, { quotas: [{ kind: 'servers', quantity: 4 }] });
    assert.equal(set.status, 200);
    assert.deepEqual(
      set.body.quotas.find((q: any) => q.kind === 'servers'),
      {
        kind: 'servers',
        quantity: 4,
        used: 3,
        free: 1,
        committed: 3,
        reserved: 0,
        displayName: 'Servers',
        description: 'All physical and virtual machines.',
        default: 10,
      },
    );
    assert.deepEqual(
      set.body.quotas.find((q: any) => q.kind === 'gpus'),
      {
        kind: 'gpus',
        quantity: 40,
        used: 2,
        free: 38,
        committed: 0,
        reserved: 2,
        displayName: 'GPUs',
        description: 'General purpose GPUs for AI workloads.',
        default: 40,
      },
    );
    const below = await admin.put(`/api/v1/organizations/${org}/quotas`, { quotas: [{ kind: 'servers', quantity: 2 }] });
    assert.deepEqual(below.body, { error: 'invalid_request', error_description: 'quota for "servers" (2) would be below current usage (3)' });
    assert.equal((await admin.get(`/api/v1/organizations/${org}/quotas`)).body.quotas.find((q: any) => q.kind === 'servers').quantity, 4, 'unchanged');
    const unknown = await admin.put(`/api/v1/organizations/${org}/quotas`, { quotas: [{ kind: 'unicorns', quantity: 1 }] });
    assert.deepEqual(unknown.body, { error: 'invalid_request', error_description: 'quotas: unknown kind "unicorns"; known kinds are clusters, servers, gpus' });
  });

  it('creates, reads, updates and deletes allocations; refuses going over quota with 409', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const project = await createProject(admin, org);
    const base = `/api/v1/organizations/${org}/projects/${project}/allocations`;
    const body = allocation(4);
    const created = await admin.post(base, body);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, {
      metadata: createdMetadata(created.body, { name: body.metadata.name, organizationId: org, projectId: project }),
      spec: {
        kind: 'kubernetescluster',
        id: body.spec.id,
        allocations: [
          { kind: 'gpus', committed: 0, reserved: 0 },
          { kind: 'servers', committed: 4, reserved: 0 },
        ],
      },
    });
    const id = created.body.metadata.id;
    assert.deepEqual((await admin.get(`${base}/${id}`)).body, created.body);
    const over = await admin.post(base, allocation(7));
    assert.equal(over.status, 409);
    assert.deepEqual(over.body, { error: 'conflict', error_description: 'allocation exceeds the quota for "servers": 11 requested of 10' });
    const again = await admin.post(base, { ...allocation(1), spec: { ...allocation(1).spec, id: body.spec.id } });
    assert.deepEqual(again.body, { error: 'conflict', error_description: 'an allocation for this resource already exists in the project' });
    const grow = await admin.put(`${base}/${id}`, allocation(10, 0, body.spec.id));
    assert.equal(grow.status, 200, grow.text);
    assert.equal((await admin.put(`${base}/${id}`, allocation(11, 0, body.spec.id))).status, 409);
    assert.equal((await admin.get(`${base}/${id}`)).body.spec.allocations.find((a: any) => a.kind === 'servers').committed, 10);
    const list = await admin.get(`/api/v1/organizations/${org}/allocations`);
    assert.deepEqual(
      list.body.map((a: any) => a.metadata.id),
      [id],
    );
    const badKind = await admin.post(base, {
      ...body,
      metadata: { name: uniqueName('a') },
      spec: { ...body.spec, id: 'x', allocations: [{ kind: 'unicorns', committed: 1, reserved: 0 }] },
    });
    assert.deepEqual(badKind.body, { error: 'invalid_request', error_description: 'spec.allocations: unknown quota kind "unicorns"' });
    assert.equal((await admin.delete(`${base}/${id}`)).status, 202);
    assert.equal((await admin.get(`${base}/${id}`)).status, 404);
    const free = await admin.get(`/api/v1/organizations/${org}/quotas`);
    assert.equal(free.body.quotas.find((q: any) => q.kind === 'servers').used, 0);
  });

  it('never exceeds a quota under 50 parallel allocations', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const project = await createProject(admin, org);
    await admin.put(`/api/v1/organizations/${org}/quotas`, { quotas: [{ kind: 'servers', quantity: 17 }] });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => admin.post(`/api/v1/organizations/${org}/projects/${project}/allocations`, allocation(1))),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 17, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 409).length, 33);
    const quotas = await admin.get(`/api/v1/organizations/${org}/quotas`);
    assert.deepEqual({ used: quotas.body.quotas.find((q: any) => q.kind === 'servers').used }, { used: 17 });
  });

  it('keeps quotas for platform administrators and allocations for system roles', async () => {
    const admin = ctx().admin;
    const org = await createOrganization(admin);
    const project = await createProject(admin, org);
    const orgAdmin = await userWithRole(ctx(), org, 'administrator');
    assert.equal((await orgAdmin.client.get(`/api/v1/organizations/${org}/quotas`)).status, 200);
    const setQuota = await orgAdmin.client.put(`/api/v1/organizations/${org}/quotas`, { quotas: [] });
    assert.deepEqual(setQuota.body, { error: 'forbidden', error_description: 'the caller lacks update permission on identity:quotas at organization scope' });
    const allocate = await orgAdmin.client.post(`/api/v1/organizations/${org}/projects/${project}/allocations`, allocation(1));
    assert.equal(allocate.status, 403);
  });
});
