import type { ServiceAccountInput, ServiceAccountRecord, ServiceAccountWithToken } from '../../../core/serviceaccounts/service.ts';
import type { Operation } from '../../../rbac/model.ts';
import { parsePage, sendListing } from '../paging.ts';
import { anyCallerInOrganization, errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { Empty, OrganizationParams, Page } from '../schemas.ts';
import { scopedMetadata } from '../wire.ts';
import { ServiceAccountCreated, ServiceAccountList, ServiceAccountParams, ServiceAccountRead, ServiceAccountWrite } from './schemas.ts';

const tags = ['serviceaccounts'];
const base = '/api/v1/organizations/:organizationID/serviceaccounts';
const access = (op: Operation) => requires('organization', 'identity:serviceaccounts', op, inOrganization);

const serviceAccountToWire = (row: ServiceAccountRecord) => ({
  metadata: scopedMetadata(row),
  spec: { groupIDs: row.group_ids },
  status: { expiry: (row.expires_at ?? row.created_at).toISOString() },
});

/** Create and rotate: the only time the token is ever shown. */
const withTokenToWire = ({ account, token }: ServiceAccountWithToken) => ({
  ...serviceAccountToWire(account),
  status: { expiry: (token.expiresAt ?? account.created_at).toISOString(), accessToken: token.token },
});

const fromWire = ({ metadata, spec }: ServiceAccountWrite): ServiceAccountInput => ({ metadata, groupIds: spec.groupIDs });

export const serviceAccountRoutes: RouteModule = (app, { core: { serviceAccounts } }) => {
  // Listing, reading and rotating are also open to a service account acting on itself.
  app.get(base, {
    schema: {
      operationId: 'listServiceAccounts',
      tags,
      params: OrganizationParams,
      querystring: Page,
      response: { 200: ServiceAccountList, ...errorResponses() },
    },
    config: anyCallerInOrganization,
    handler: async (req, reply) =>
      sendListing(req, reply, await serviceAccounts.list(req.caller, req.params.organizationID, parsePage(req.query)), serviceAccountToWire),
  });
  app.post(base, {
    schema: {
      operationId: 'createServiceAccount',
      tags,
      params: OrganizationParams,
      body: ServiceAccountWrite,
      response: { 201: ServiceAccountCreated, ...errorResponses(404, 409) },
    },
    config: access('create'),
    handler: async (req, reply) =>
      reply.status(201).send(withTokenToWire(await serviceAccounts.create(req.caller, req.params.organizationID, fromWire(req.body)))),
  });
  app.get(`${base}/:serviceAccountID`, {
    schema: { operationId: 'getServiceAccount', tags, params: ServiceAccountParams, response: { 200: ServiceAccountRead, ...errorResponses(404) } },
    config: anyCallerInOrganization,
    handler: async (req) => serviceAccountToWire(await serviceAccounts.get(req.caller, req.params.organizationID, req.params.serviceAccountID)),
  });
  app.put(`${base}/:serviceAccountID`, {
    schema: {
      operationId: 'updateServiceAccount',
      tags,
      params: ServiceAccountParams,
      body: ServiceAccountWrite,
      response: { 200: ServiceAccountRead, ...errorResponses(404, 409) },
    },
    config: access('update'),
    handler: async (req) =>
      serviceAccountToWire(await serviceAccounts.update(req.caller, req.params.organizationID, req.params.serviceAccountID, fromWire(req.body))),
  });
  app.delete(`${base}/:serviceAccountID`, {
    schema: { operationId: 'deleteServiceAccount', tags, params: ServiceAccountParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await serviceAccounts.delete(req.caller, req.params.organizationID, req.params.serviceAccountID);
      return reply.send();
    },
  });
  app.post(`${base}/:serviceAccountID/rotate`, {
    schema: { operationId: 'rotateServiceAccount', tags, params: ServiceAccountParams, response: { 200: ServiceAccountCreated, ...errorResponses(404) } },
    config: anyCallerInOrganization,
    handler: async (req) => withTokenToWire(await serviceAccounts.rotate(req.caller, req.params.organizationID, req.params.serviceAccountID)),
  });
};
