import type { AllocationInput, AllocationRecord } from '../../../core/quotas/allocations.ts';
import type { Operation } from '../../../rbac/model.ts';
import { parsePage, sendListing } from '../paging.ts';
import { errorResponses, inOrganization, inProject, type RouteModule, requires } from '../routing.ts';
import { Empty, OrganizationParams, Page } from '../schemas.ts';
import { scopedMetadata } from '../wire.ts';
import { AllocationCollectionParams, AllocationList, AllocationParams, AllocationRead, AllocationWrite } from './schemas.ts';

const tags = ['allocations'];
const base = '/api/v1/organizations/:organizationID/projects/:projectID/allocations';
const access = (op: Operation) => requires('project', 'identity:allocations', op, inProject);

const allocationToWire = (row: AllocationRecord) => ({
  metadata: { ...scopedMetadata(row), projectId: row.project_id },
  spec: { kind: row.resource_kind, id: row.resource_id, allocations: row.items },
});

const fromWire = ({ metadata, spec }: AllocationWrite): AllocationInput => ({
  metadata,
  resourceKind: spec.kind,
  resourceId: spec.id,
  items: spec.allocations,
});

export const allocationRoutes: RouteModule = (app, { core: { allocations } }) => {
  app.get('/api/v1/organizations/:organizationID/allocations', {
    schema: { operationId: 'listAllocations', tags, params: OrganizationParams, querystring: Page, response: { 200: AllocationList, ...errorResponses(404) } },
    config: requires('project', 'identity:allocations', 'read', inOrganization), // in some project at least; the service filters per project
    handler: async (req, reply) =>
      sendListing(req, reply, await allocations.list(req.caller, req.params.organizationID, parsePage(req.query)), allocationToWire),
  });
  app.post(base, {
    schema: {
      operationId: 'createAllocation',
      tags,
      params: AllocationCollectionParams,
      body: AllocationWrite,
      response: { 201: AllocationRead, ...errorResponses(404, 409) },
    },
    config: access('create'),
    handler: async (req, reply) =>
      reply.status(201).send(allocationToWire(await allocations.create(req.caller, req.params.organizationID, req.params.projectID, fromWire(req.body)))),
  });
  app.get(`${base}/:allocationID`, {
    schema: { operationId: 'getAllocation', tags, params: AllocationParams, response: { 200: AllocationRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => allocationToWire(await allocations.get(req.params.organizationID, req.params.projectID, req.params.allocationID)),
  });
  app.put(`${base}/:allocationID`, {
    schema: {
      operationId: 'updateAllocation',
      tags,
      params: AllocationParams,
      body: AllocationWrite,
      response: { 200: AllocationRead, ...errorResponses(404, 409) },
    },
    config: access('update'),
    handler: async (req) =>
      allocationToWire(await allocations.update(req.caller, req.params.organizationID, req.params.projectID, req.params.allocationID, fromWire(req.body))),
  });
  app.delete(`${base}/:allocationID`, {
    schema: { operationId: 'deleteAllocation', tags, params: AllocationParams, response: { 202: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await allocations.delete(req.caller, req.params.organizationID, req.params.projectID, req.params.allocationID);
      return reply.status(202).send();
    },
  });
};
