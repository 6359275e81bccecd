import { permission } from '../../http/auth.ts';
import { sendListing } from '../common/pagination.ts';
import { Empty, OrganizationParams, Page } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import { GroupList, GroupParams, GroupRead, GroupWrite } from './schemas.ts';

const tags = ['groups'];
const base = '/api/v1/organizations/:organizationID/groups';
const access = (op: 'create' | 'read' | 'update' | 'delete') => ({ access: permission('organization', 'identity:groups', op) });

export const groupRoutes: RouteModule = (app, { groups }) => {
  app.get(base, {
    schema: { operationId: 'listGroups', tags, params: OrganizationParams, querystring: Page, response: { 200: GroupList, ...errorResponses() } },
    config: access('read'),
    handler: async (req, reply) => sendListing(req, reply, await groups.list(req.params.organizationID, req.query)),
  });
  app.post(base, {
    schema: { operationId: 'createGroup', tags, params: OrganizationParams, body: GroupWrite, response: { 201: GroupRead, ...errorResponses(404, 409) } },
    config: access('create'),
    handler: async (req, reply) => reply.status(201).send(await groups.create(req.auth, req.params.organizationID, req.body)),
  });
  app.get(`${base}/:groupid`, {
    schema: { operationId: 'getGroup', tags, params: GroupParams, response: { 200: GroupRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => groups.get(req.params.organizationID, req.params.groupid),
  });
  app.put(`${base}/:groupid`, {
    schema: { operationId: 'updateGroup', tags, params: GroupParams, body: GroupWrite, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req, reply) => {
      await groups.update(req.auth, req.params.organizationID, req.params.groupid, req.body);
      return reply.send();
    },
  });
  app.delete(`${base}/:groupid`, {
    schema: { operationId: 'deleteGroup', tags, params: GroupParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await groups.delete(req.params.organizationID, req.params.groupid);
      return reply.send();
    },
  });
};
