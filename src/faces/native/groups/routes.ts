import type { GroupInput, GroupRecord } from '../../../core/groups/service.ts';
import type { Operation } from '../../../rbac/model.ts';
import { parsePage, sendListing } from '../paging.ts';
import { errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { Empty, OrganizationParams, Page } from '../schemas.ts';
import { scopedMetadata } from '../wire.ts';
import { GroupList, GroupParams, GroupRead, GroupWrite } from './schemas.ts';

const tags = ['groups'];
const base = '/api/v1/organizations/:organizationID/groups';
const access = (op: Operation) => requires('organization', 'identity:groups', op, inOrganization);

const groupToWire = (row: GroupRecord) => ({
  metadata: scopedMetadata(row),
  spec: { userIDs: row.user_ids, serviceAccountIDs: row.service_account_ids, roleIDs: row.role_ids },
});

const fromWire = ({ metadata, spec }: GroupWrite): GroupInput => ({
  metadata,
  roleIds: spec.roleIDs,
  userIds: spec.userIDs,
  serviceAccountIds: spec.serviceAccountIDs,
});

export const groupRoutes: RouteModule = (app, { core: { groups } }) => {
  app.get(base, {
    schema: { operationId: 'listGroups', tags, params: OrganizationParams, querystring: Page, response: { 200: GroupList, ...errorResponses() } },
    config: access('read'),
    handler: async (req, reply) => sendListing(req, reply, await groups.list(req.params.organizationID, parsePage(req.query)), groupToWire),
  });
  app.post(base, {
    schema: { operationId: 'createGroup', tags, params: OrganizationParams, body: GroupWrite, response: { 201: GroupRead, ...errorResponses(404, 409) } },
    config: access('create'),
    handler: async (req, reply) => reply.status(201).send(groupToWire(await groups.create(req.caller, req.params.organizationID, fromWire(req.body)))),
  });
  app.get(`${base}/:groupid`, {
    schema: { operationId: 'getGroup', tags, params: GroupParams, response: { 200: GroupRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => groupToWire(await groups.get(req.params.organizationID, req.params.groupid)),
  });
  app.put(`${base}/:groupid`, {
    schema: { operationId: 'updateGroup', tags, params: GroupParams, body: GroupWrite, response: { 200: Empty, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req, reply) => {
      await groups.update(req.caller, req.params.organizationID, req.params.groupid, fromWire(req.body));
      return reply.send();
    },
  });
  app.delete(`${base}/:groupid`, {
    schema: { operationId: 'deleteGroup', tags, params: GroupParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await groups.delete(req.caller, req.params.organizationID, req.params.groupid);
      return reply.send();
    },
  });
};
