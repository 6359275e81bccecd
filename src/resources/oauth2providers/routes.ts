import { permission } from '../../http/auth.ts';
import { sendListing } from '../common/pagination.ts';
import { Empty, OrganizationParams, Page } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import {
  ProviderList, ProviderParams, ProviderRead, ProviderWrite, SystemProviderList, SystemProviderParams, SystemProviderRead,
} from './schemas.ts';

const tags = ['oauth2providers'];
const orgBase = '/api/v1/organizations/:organizationID/oauth2providers';
const endpoint = 'identity:oauth2providers';

export const providerRoutes: RouteModule = (app, { providers }) => {
  // System providers: any signed-in caller may list them (they are the login buttons);
  // changing them is for platform administrators.
  app.get('/api/v1/oauth2providers', {
    schema: { operationId: 'listSystemProviders', tags, querystring: Page, response: { 200: SystemProviderList, ...errorResponses() } },
    config: { access: 'authenticated' },
    handler: async (req, reply) => sendListing(req, reply, await providers.list(null, req.query)),
  });
  app.post('/api/v1/oauth2providers', {
    schema: { operationId: 'createSystemProvider', tags, body: ProviderWrite, response: { 201: SystemProviderRead, ...errorResponses(409) } },
    config: { access: permission('global', endpoint, 'create') },
    handler: async (req, reply) => reply.status(201).send(await providers.create(req.auth, null, req.body)),
  });
  app.put('/api/v1/oauth2providers/:providerID', {
    schema: { operationId: 'updateSystemProvider', tags, params: SystemProviderParams, body: ProviderWrite, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: { access: permission('global', endpoint, 'update') },
    handler: async (req, reply) => {
      await providers.update(req.auth, null, req.params.providerID, req.body);
      return reply.send();
    },
  });
  app.delete('/api/v1/oauth2providers/:providerID', {
    schema: { operationId: 'deleteSystemProvider', tags, params: SystemProviderParams, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: { access: permission('global', endpoint, 'delete') },
    handler: async (req, reply) => {
      await providers.delete(null, req.params.providerID);
      return reply.send();
    },
  });

  app.get(orgBase, {
    schema: { operationId: 'listProviders', tags, params: OrganizationParams, querystring: Page, response: { 200: ProviderList, ...errorResponses(404) } },
    config: { access: permission('organization', endpoint, 'read') },
    handler: async (req, reply) => sendListing(req, reply, await providers.list(req.params.organizationID, req.query)),
  });
  app.post(orgBase, {
    schema: { operationId: 'createProvider', tags, params: OrganizationParams, body: ProviderWrite, response: { 201: ProviderRead, ...errorResponses(404, 409) } },
    config: { access: permission('organization', endpoint, 'create') },
    handler: async (req, reply) => reply.status(201).send(await providers.create(req.auth, req.params.organizationID, req.body)),
  });
  app.put(`${orgBase}/:providerID`, {
    schema: { operationId: 'updateProvider', tags, params: ProviderParams, body: ProviderWrite, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: { access: permission('organization', endpoint, 'update') },
    handler: async (req, reply) => {
      await providers.update(req.auth, req.params.organizationID, req.params.providerID, req.body);
      return reply.send();
    },
  });
  app.delete(`${orgBase}/:providerID`, {
    schema: { operationId: 'deleteProvider', tags, params: ProviderParams, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: { access: permission('organization', endpoint, 'delete') },
    handler: async (req, reply) => {
      await providers.delete(req.params.organizationID, req.params.providerID);
      return reply.send();
    },
  });
};
