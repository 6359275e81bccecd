import type { MembershipInput, MembershipRecord } from '../../../core/users/service.ts';
import type { Operation } from '../../../rbac/model.ts';
import { parsePage, sendListing } from '../paging.ts';
import { errorResponses, inOrganization, type RouteModule, requires } from '../routing.ts';
import { Empty, OrganizationParams, Page } from '../schemas.ts';
import { scopedMetadata } from '../wire.ts';
import { UserList, UserParams, UserRead, UserWrite } from './schemas.ts';

const tags = ['users'];
const base = '/api/v1/organizations/:organizationID/users';
const access = (op: Operation) => requires('organization', 'identity:users', op, inOrganization);

const userToWire = (row: MembershipRecord, signupLink?: string) => ({
  metadata: scopedMetadata(row),
  spec: { subject: row.email, state: row.state, groupIDs: row.group_ids },
  status: { ...(row.last_active ? { lastActive: row.last_active.toISOString() } : {}), ...(signupLink ? { signupLink } : {}) },
});

const fromWire = ({ metadata, spec }: UserWrite): MembershipInput => ({ metadata, subject: spec.subject, state: spec.state, groupIds: spec.groupIDs });

export const userRoutes: RouteModule = (app, { core: { users } }) => {
  app.get(base, {
    schema: { operationId: 'listUsers', tags, params: OrganizationParams, querystring: Page, response: { 200: UserList, ...errorResponses() } },
    config: access('read'),
    handler: async (req, reply) => sendListing(req, reply, await users.list(req.params.organizationID, parsePage(req.query)), (row) => userToWire(row)),
  });
  app.post(base, {
    schema: { operationId: 'createUser', tags, params: OrganizationParams, body: UserWrite, response: { 201: UserRead, ...errorResponses(404, 409) } },
    config: access('create'),
    handler: async (req, reply) => {
      const { user, signupLink } = await users.create(req.caller, req.params.organizationID, fromWire(req.body));
      return reply.status(201).send(userToWire(user, signupLink));
    },
  });
  app.get(`${base}/:userID`, {
    schema: { operationId: 'getUser', tags, params: UserParams, response: { 200: UserRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => userToWire(await users.get(req.params.organizationID, req.params.userID)),
  });
  app.put(`${base}/:userID`, {
    schema: { operationId: 'updateUser', tags, params: UserParams, body: UserWrite, response: { 200: UserRead, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req) => userToWire(await users.update(req.caller, req.params.organizationID, req.params.userID, fromWire(req.body))),
  });
  app.delete(`${base}/:userID`, {
    schema: { operationId: 'deleteUser', tags, params: UserParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await users.delete(req.caller, req.params.organizationID, req.params.userID);
      return reply.send();
    },
  });
};
