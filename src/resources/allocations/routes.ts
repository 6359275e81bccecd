import { permission } from '../../http/auth.ts';
import { sendListing } from '../common/pagination.ts';
import { Empty, OrganizationParams, Page } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import { AllocationCollectionParams, AllocationList, AllocationParams, AllocationRead, AllocationWrite } from './schemas.ts';

const tags = ['allocations'];
const base = '/api/v1/organizations/:organizationID/projects/:projectID/allocations';
const access = (op: 'create' | 'read' | 'update' | 'delete') => ({ access: permission('project', 'identity:allocations', op) });

export const allocationRoutes: RouteModule = (app, { allocations }) => {
  app.get('/api/v1/organizations/:organizationID/allocations', {
    schema: { operationId: 'listAllocations', tags, params: OrganizationParams, querystring: Page, response: { 200: AllocationList, ...errorResponses(404) } },
    config: { access: 'authenticated' }, // filtered per project by the service
    handler: async (req, reply) => sendListing(req, reply, await allocations.list(req.auth, req.params.organizationID, req.query)),
  });
  app.post(base, {
    schema: { operationId: 'createAllocation', tags, params: AllocationCollectionParams, body: AllocationWrite, response: { 201: AllocationRead, ...errorResponses(404, 409) } },
    config: access('create'),
    handler: async (req, reply) =>
      reply.status(201).send(await allocations.create(req.auth, req.params.organizationID, req.params.projectID, req.body)),
  });
  app.get(`${base}/:allocationID`, {
    schema: { operationId: 'getAllocation', tags, params: AllocationParams, response: { 200: AllocationRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => allocations.get(req.params.organizationID, req.params.projectID, req.params.allocationID),
  });
  app.put(`${base}/:allocationID`, {
    schema: { operationId: 'updateAllocation', tags, params: AllocationParams, body: AllocationWrite, response: { 200: AllocationRead, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req) => allocations.update(req.auth, req.params.organizationID, req.params.projectID, req.params.allocationID, req.body),
  });
  app.delete(`${base}/:allocationID`, {
    schema: { operationId: 'deleteAllocation', tags, params: AllocationParams, response: { 202: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await allocations.delete(req.params.organizationID, req.params.projectID, req.params.allocationID);
      return reply.status(202).send();
    },
  });
};
