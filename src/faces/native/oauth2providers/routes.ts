import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Owner, ProviderInput, ProviderRecord } from '../../../core/providers/service.ts';
import type { Operation } from '../../../rbac/model.ts';
import { parsePage, sendListing } from '../paging.ts';
import { anyCaller, errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { Empty, OrganizationParams, Page } from '../schemas.ts';
import { readMetadata } from '../wire.ts';
import { ProviderList, ProviderParams, ProviderRead, ProviderWrite, SystemProviderList, SystemProviderParams, SystemProviderRead } from './schemas.ts';

const tags = ['oauth2providers'];
const orgBase = '/api/v1/organizations/:organizationID/oauth2providers';
const endpoint = 'identity:oauth2providers';
const system = (op: Operation) => requires('global', endpoint, op);
const organization = (op: Operation) => requires('organization', endpoint, op, inOrganization);

/**
 * The read form never carries the client secret. The Identity API's read schema requires an
 * organizationId even for system providers, which belong to none: they carry "".
 */
const providerToWire = (row: ProviderRecord) => ({
  metadata: { ...readMetadata(row), organizationId: row.organization_id ?? '' },
  spec: { ...(row.type ? { type: row.type } : {}), issuer: row.issuer, clientID: row.client_id },
});

const fromWire = ({ metadata, spec }: ProviderWrite): ProviderInput => ({
  metadata,
  type: spec.type,
  issuer: spec.issuer,
  clientId: spec.clientID,
  clientSecret: spec.clientSecret,
});

export const providerRoutes: RouteModule = (app, { core: { providers } }) => {
  const list = async (owner: Owner, req: FastifyRequest, reply: FastifyReply, page: Page) =>
    sendListing(req, reply, await providers.list(owner, parsePage(page)), providerToWire);

  // System providers: any signed-in caller may list them (they are the login buttons);
  // changing them is for platform administrators.
  app.get('/api/v1/oauth2providers', {
    schema: { operationId: 'listSystemProviders', tags, querystring: Page, response: { 200: SystemProviderList, ...errorResponses() } },
    config: anyCaller,
    handler: async (req, reply) => list(null, req, reply, req.query),
  });
  app.post('/api/v1/oauth2providers', {
    schema: { operationId: 'createSystemProvider', tags, body: ProviderWrite, response: { 201: SystemProviderRead, ...errorResponses(409) } },
    config: system('create'),
    handler: async (req, reply) => reply.status(201).send(providerToWire(await providers.create(req.caller, null, fromWire(req.body)))),
  });
  app.put('/api/v1/oauth2providers/:providerID', {
    schema: {
      operationId: 'updateSystemProvider',
      tags,
      params: SystemProviderParams,
      body: ProviderWrite,
      response: { 200: Empty, ...errorResponses(404, 409) },
    },
    config: system('update'),
    handler: async (req, reply) => {
      await providers.update(req.caller, null, req.params.providerID, fromWire(req.body));
      return reply.send();
    },
  });
  app.delete('/api/v1/oauth2providers/:providerID', {
    schema: { operationId: 'deleteSystemProvider', tags, params: SystemProviderParams, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: system('delete'),
    handler: async (req, reply) => {
      await providers.delete(req.caller, null, req.params.providerID);
      return reply.send();
    },
  });

  app.get(orgBase, {
    schema: { operationId: 'listProviders', tags, params: OrganizationParams, querystring: Page, response: { 200: ProviderList, ...errorResponses(404) } },
    config: organization('read'),
    handler: async (req, reply) => list(req.params.organizationID, req, reply, req.query),
  });
  app.post(orgBase, {
    schema: {
      operationId: 'createProvider',
      tags,
      params: OrganizationParams,
      body: ProviderWrite,
      response: { 201: ProviderRead, ...errorResponses(404, 409) },
    },
    config: organization('create'),
    handler: async (req, reply) => reply.status(201).send(providerToWire(await providers.create(req.caller, req.params.organizationID, fromWire(req.body)))),
  });
  app.put(`${orgBase}/:providerID`, {
    schema: { operationId: 'updateProvider', tags, params: ProviderParams, body: ProviderWrite, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: organization('update'),
    handler: async (req, reply) => {
      await providers.update(req.caller, req.params.organizationID, req.params.providerID, fromWire(req.body));
      return reply.send();
    },
  });
  app.delete(`${orgBase}/:providerID`, {
    schema: { operationId: 'deleteProvider', tags, params: ProviderParams, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: organization('delete'),
    handler: async (req, reply) => {
      await providers.delete(req.caller, req.params.organizationID, req.params.providerID);
      return reply.send();
    },
  });
};
