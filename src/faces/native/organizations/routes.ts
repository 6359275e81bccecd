import type { OrganizationInput, OrganizationRecord } from '../../../core/organizations/service.ts';
import { parsePage, sendListing } from '../paging.ts';
import { anyCaller, errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { Empty, OrganizationParams } from '../schemas.ts';
import { readMetadata } from '../wire.ts';
import { OrganizationList, OrganizationQuery, OrganizationRead, OrganizationWrite } from './schemas.ts';

const tags = ['organizations'];
const endpoint = 'identity:organizations';

export function organizationToWire(row: OrganizationRecord) {
  return {
    metadata: readMetadata({ ...row, organization_id: null }),
    spec: {
      organizationType: row.organization_type,
      ...(row.domain ? { domain: row.domain } : {}),
      ...(row.provider_scope ? { providerScope: row.provider_scope } : {}),
      ...(row.provider_id ? { providerID: row.provider_id } : {}),
      ...(row.google_customer_id ? { googleCustomerID: row.google_customer_id } : {}),
    },
  };
}

const fromWire = ({ metadata, spec }: OrganizationWrite): OrganizationInput => ({
  metadata,
  organizationType: spec.organizationType,
  domain: spec.domain,
  providerScope: spec.providerScope,
  providerId: spec.providerID,
  googleCustomerId: spec.googleCustomerID,
});

export const organizationRoutes: RouteModule = (app, { core: { organizations } }) => {
  app.get('/api/v1/organizations', {
    schema: { operationId: 'listOrganizations', tags, querystring: OrganizationQuery, response: { 200: OrganizationList, ...errorResponses() } },
    config: anyCaller,
    handler: async (req, reply) => sendListing(req, reply, await organizations.list(req.caller, parsePage(req.query), req.query.email), organizationToWire),
  });
  app.post('/api/v1/organizations', {
    schema: { operationId: 'createOrganization', tags, body: OrganizationWrite, response: { 202: OrganizationRead, ...errorResponses(409) } },
    config: requires('global', endpoint, 'create'),
    handler: async (req, reply) => reply.status(202).send(organizationToWire(await organizations.create(req.caller, fromWire(req.body)))),
  });
  app.get('/api/v1/organizations/:organizationID', {
    schema: { operationId: 'getOrganization', tags, params: OrganizationParams, response: { 200: OrganizationRead, ...errorResponses(404) } },
    config: requires('organization', endpoint, 'read', inOrganization),
    handler: async (req) => organizationToWire(await organizations.get(req.params.organizationID)),
  });
  app.put('/api/v1/organizations/:organizationID', {
    schema: {
      operationId: 'updateOrganization',
      tags,
      params: OrganizationParams,
      body: OrganizationWrite,
      response: { 200: Empty, ...errorResponses(404, 409) },
    },
    config: requires('organization', endpoint, 'update', inOrganization),
    handler: async (req, reply) => {
      await organizations.update(req.caller, req.params.organizationID, fromWire(req.body));
      return reply.send();
    },
  });
  app.delete('/api/v1/organizations/:organizationID', {
    schema: { operationId: 'deleteOrganization', tags, params: OrganizationParams, response: { 202: Empty, ...errorResponses(404) } },
    config: requires('global', endpoint, 'delete', inOrganization),
    handler: async (req, reply) => {
      await organizations.delete(req.caller, req.params.organizationID);
      return reply.status(202).send();
    },
  });
};
