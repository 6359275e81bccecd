import { permission } from '../../http/auth.ts';
import { sendListing } from '../common/pagination.ts';
import { Empty, OrganizationParams } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import { OrganizationList, OrganizationQuery, OrganizationRead, OrganizationWrite } from './schemas.ts';

const tags = ['organizations'];

export const organizationRoutes: RouteModule = (app, { organizations }) => {
  app.get('/api/v1/organizations', {
    schema: { operationId: 'listOrganizations', tags, querystring: OrganizationQuery, response: { 200: OrganizationList, ...errorResponses() } },
    config: { access: 'authenticated' },
    handler: async (req, reply) => sendListing(req, reply, await organizations.list(req.auth, req.query)),
  });
  app.post('/api/v1/organizations', {
    schema: { operationId: 'createOrganization', tags, body: OrganizationWrite, response: { 202: OrganizationRead, ...errorResponses(409) } },
    config: { access: permission('global', 'identity:organizations', 'create') },
    handler: async (req, reply) => reply.status(202).send(await organizations.create(req.auth, req.body)),
  });
  app.get('/api/v1/organizations/:organizationID', {
    schema: { operationId: 'getOrganization', tags, params: OrganizationParams, response: { 200: OrganizationRead, ...errorResponses(404) } },
    config: { access: permission('organization', 'identity:organizations', 'read') },
    handler: async (req) => organizations.get(req.params.organizationID),
  });
  app.put('/api/v1/organizations/:organizationID', {
    schema: { operationId: 'updateOrganization', tags, params: OrganizationParams, body: OrganizationWrite, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: { access: permission('organization', 'identity:organizations', 'update') },
    handler: async (req, reply) => {
      await organizations.update(req.auth, req.params.organizationID, req.body);
      return reply.send();
    },
  });
  app.delete('/api/v1/organizations/:organizationID', {
    schema: { operationId: 'deleteOrganization', tags, params: OrganizationParams, response: { 202: Empty, ...errorResponses(404) } },
    config: { access: permission('global', 'identity:organizations', 'delete') },
    handler: async (req, reply) => {
      await organizations.delete(req.params.organizationID);
      return reply.status(202).send();
    },
  });
};
