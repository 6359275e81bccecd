import { permission } from '../../http/auth.ts';
import { sendListing } from '../common/pagination.ts';
import { Empty, OrganizationParams, Page } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import { ServiceAccountCreated, ServiceAccountList, ServiceAccountParams, ServiceAccountRead, ServiceAccountWrite } from './schemas.ts';

const tags = ['serviceaccounts'];
const base = '/api/v1/organizations/:organizationID/serviceaccounts';
const access = (op: 'create' | 'update' | 'delete') => ({ access: permission('organization', 'identity:serviceaccounts', op) });

export const serviceAccountRoutes: RouteModule = (app, { serviceAccounts }) => {
  // Listing, reading and rotating are also open to a service account acting on itself.
  app.get(base, {
    schema: { operationId: 'listServiceAccounts', tags, params: OrganizationParams, querystring: Page, response: { 200: ServiceAccountList, ...errorResponses() } },
    config: { access: 'authenticated' },
    handler: async (req, reply) => sendListing(req, reply, await serviceAccounts.list(req.auth, req.params.organizationID, req.query)),
  });
  app.post(base, {
    schema: { operationId: 'createServiceAccount', tags, params: OrganizationParams, body: ServiceAccountWrite, response: { 201: ServiceAccountCreated, ...errorResponses(404, 409) } },
    config: access('create'),
    handler: async (req, reply) => reply.status(201).send(await serviceAccounts.create(req.auth, req.params.organizationID, req.body)),
  });
  app.get(`${base}/:serviceAccountID`, {
    schema: { operationId: 'getServiceAccount', tags, params: ServiceAccountParams, response: { 200: ServiceAccountRead, ...errorResponses(404) } },
    config: { access: 'authenticated' },
    handler: async (req) => serviceAccounts.get(req.auth, req.params.organizationID, req.params.serviceAccountID),
  });
  app.put(`${base}/:serviceAccountID`, {
    schema: { operationId: 'updateServiceAccount', tags, params: ServiceAccountParams, body: ServiceAccountWrite, response: { 200: ServiceAccountRead, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req) => serviceAccounts.update(req.auth, req.params.organizationID, req.params.serviceAccountID, req.body),
  });
  app.delete(`${base}/:serviceAccountID`, {
    schema: { operationId: 'deleteServiceAccount', tags, params: ServiceAccountParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await serviceAccounts.delete(req.params.organizationID, req.params.serviceAccountID);
      return reply.send();
    },
  });
  app.post(`${base}/:serviceAccountID/rotate`, {
    schema: { operationId: 'rotateServiceAccount', tags, params: ServiceAccountParams, response: { 200: ServiceAccountCreated, ...errorResponses(404) } },
    config: { access: 'authenticated' },
    handler: async (req) => serviceAccounts.rotate(req.auth, req.params.organizationID, req.params.serviceAccountID),
  });
};
