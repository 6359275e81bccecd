import type { ApiTokenInput, ApiTokenRecord, ApiTokenWithSecret } from '../../../core/apitokens/service.ts';
import { optionalBody } from '../../../http/body-parsers.ts';
import type { Operation } from '../../../rbac/model.ts';
import { parsePage, sendListing } from '../paging.ts';
import { errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { Empty, OrganizationParams } from '../schemas.ts';
import { readMetadata } from '../wire.ts';
import { ApiTokenCreated, ApiTokenList, ApiTokenParams, ApiTokenPolicyBody, ApiTokenQuery, ApiTokenRead, ApiTokenWrite, RotateRequest } from './schemas.ts';

const tags = ['apitokens'];
const base = '/api/v1/organizations/:organizationID/apitokens';
const access = (op: Operation) => requires('organization', 'identity:apitokens', op, inOrganization);
const iso = (date: Date) => date.toISOString();

function stateOf(row: ApiTokenRecord) {
  if (row.expires_at && row.expires_at.getTime() <= Date.now()) return 'expired' as const;
  return row.active ? ('active' as const) : ('inactive' as const);
}

export const apiTokenToWire = (row: ApiTokenRecord) => ({
  metadata: { ...readMetadata({ ...row, tags: [] }), organizationId: row.organization_id },
  spec: {
    privileges: row.privileges.map((p) => ({ roleID: p.roleId, ...(p.projectId ? { projectID: p.projectId } : {}) })),
    resources: row.resources,
    sourceIPs: row.source_ips,
    expiresAt: row.expires_at ? iso(row.expires_at) : null,
    active: row.active,
    rateLimitPerHour: row.rate_limit_per_hour,
  },
  status: {
    state: stateOf(row),
    ...(row.last_used_at ? { lastUsed: { time: iso(row.last_used_at), address: row.last_used_ip ?? '' } } : {}),
    ...(row.previous_valid_until ? { previousSecretValidUntil: iso(row.previous_valid_until) } : {}),
  },
});

const withSecretToWire = ({ token, secret }: ApiTokenWithSecret) => {
  const wire = apiTokenToWire(token);
  return { ...wire, status: { ...wire.status, token: secret } };
};

const fromWire = ({ metadata, spec }: ApiTokenWrite): ApiTokenInput => ({
  name: metadata.name,
  description: metadata.description,
  privileges: spec.privileges.map((p) => ({ roleId: p.roleID, ...(p.projectID ? { projectId: p.projectID } : {}) })),
  resources: spec.resources,
  sourceIps: spec.sourceIPs,
  expiresAt: spec.expiresAt === undefined ? undefined : spec.expiresAt === null ? null : new Date(spec.expiresAt),
  active: spec.active,
  rateLimitPerHour: spec.rateLimitPerHour,
});

export const apiTokenRoutes: RouteModule = (app, { core: { apiTokens } }) => {
  app.get(base, {
    schema: {
      operationId: 'listApiTokens',
      tags,
      params: OrganizationParams,
      querystring: ApiTokenQuery,
      response: { 200: ApiTokenList, ...errorResponses() },
    },
    config: access('read'),
    handler: async (req, reply) => {
      const { state, search, expiresBefore, lastUsedBefore, ...page } = req.query;
      const filter = {
        state,
        search,
        expiresBefore: expiresBefore ? new Date(expiresBefore) : undefined,
        lastUsedBefore: lastUsedBefore ? new Date(lastUsedBefore) : undefined,
      };
      return sendListing(req, reply, await apiTokens.list(req.params.organizationID, filter, parsePage(page)), apiTokenToWire);
    },
  });
  app.post(base, {
    schema: {
      operationId: 'createApiToken',
      tags,
      params: OrganizationParams,
      body: ApiTokenWrite,
      response: { 201: ApiTokenCreated, ...errorResponses(404, 409) },
    },
    config: access('create'),
    handler: async (req, reply) => reply.status(201).send(withSecretToWire(await apiTokens.create(req.caller, req.params.organizationID, fromWire(req.body)))),
  });
  app.get(`${base}/:apitokenID`, {
    schema: { operationId: 'getApiToken', tags, params: ApiTokenParams, response: { 200: ApiTokenRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => apiTokenToWire(await apiTokens.get(req.params.organizationID, req.params.apitokenID)),
  });
  app.put(`${base}/:apitokenID`, {
    schema: { operationId: 'updateApiToken', tags, params: ApiTokenParams, body: ApiTokenWrite, response: { 200: ApiTokenRead, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req) => apiTokenToWire(await apiTokens.update(req.caller, req.params.organizationID, req.params.apitokenID, fromWire(req.body))),
  });
  app.delete(`${base}/:apitokenID`, {
    schema: { operationId: 'deleteApiToken', tags, params: ApiTokenParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await apiTokens.delete(req.caller, req.params.organizationID, req.params.apitokenID);
      return reply.send();
    },
  });
  app.post(`${base}/:apitokenID/rotate`, {
    schema: { operationId: 'rotateApiToken', tags, params: ApiTokenParams, body: RotateRequest, response: { 200: ApiTokenCreated, ...errorResponses(404) } },
    config: access('update'),
    // The body is optional: no body, no grace period.
    preValidation: optionalBody,
    handler: async (req) =>
      withSecretToWire(await apiTokens.rotate(req.caller, req.params.organizationID, req.params.apitokenID, req.body?.gracePeriodSeconds ?? 0)),
  });
  app.get('/api/v1/organizations/:organizationID/apitokenpolicy', {
    schema: { operationId: 'getApiTokenPolicy', tags, params: OrganizationParams, response: { 200: ApiTokenPolicyBody, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => apiTokens.policy(req.params.organizationID),
  });
  app.put('/api/v1/organizations/:organizationID/apitokenpolicy', {
    schema: {
      operationId: 'setApiTokenPolicy',
      tags,
      params: OrganizationParams,
      body: ApiTokenPolicyBody,
      response: { 200: ApiTokenPolicyBody, ...errorResponses(404) },
    },
    config: access('update'),
    handler: async (req) => apiTokens.setPolicy(req.caller, req.params.organizationID, req.body),
  });
};
