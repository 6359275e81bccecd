import { permission } from '../../http/auth.ts';
import { sendListing } from '../common/pagination.ts';
import { Empty, OrganizationParams, Page } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import { UserList, UserParams, UserRead, UserWrite } from './schemas.ts';

const tags = ['users'];
const base = '/api/v1/organizations/:organizationID/users';
const access = (op: 'create' | 'read' | 'update' | 'delete') => ({ access: permission('organization', 'identity:users', op) });

export const userRoutes: RouteModule = (app, { users }) => {
  app.get(base, {
    schema: { operationId: 'listUsers', tags, params: OrganizationParams, querystring: Page, response: { 200: UserList, ...errorResponses() } },
    config: access('read'),
    handler: async (req, reply) => sendListing(req, reply, await users.list(req.params.organizationID, req.query)),
  });
  app.post(base, {
    schema: { operationId: 'createUser', tags, params: OrganizationParams, body: UserWrite, response: { 201: UserRead, ...errorResponses(404, 409) } },
    config: access('create'),
    handler: async (req, reply) => reply.status(201).send(await users.create(req.auth, req.params.organizationID, req.body)),
  });
  app.get(`${base}/:userID`, {
    schema: { operationId: 'getUser', tags, params: UserParams, response: { 200: UserRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => users.get(req.params.organizationID, req.params.userID),
  });
  app.put(`${base}/:userID`, {
    schema: { operationId: 'updateUser', tags, params: UserParams, body: UserWrite, response: { 200: UserRead, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req) => users.update(req.auth, req.params.organizationID, req.params.userID, req.body),
  });
  app.delete(`${base}/:userID`, {
    schema: { operationId: 'deleteUser', tags, params: UserParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await users.delete(req.params.organizationID, req.params.userID);
      return reply.send();
    },
  });
};
