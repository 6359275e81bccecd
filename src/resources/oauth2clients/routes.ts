import { permission } from '../../http/auth.ts';
import { sendListing } from '../common/pagination.ts';
import { Empty, Page } from '../common/schemas.ts';
import { errorResponses, type RouteModule } from '../common/routing.ts';
import { ClientCreated, ClientList, ClientParams, ClientRead, ClientWrite } from './schemas.ts';

const tags = ['oauth2clients'];
const access = (op: 'create' | 'read' | 'update' | 'delete') => ({ access: permission('global', 'identity:oauth2clients', op) });

export const clientRoutes: RouteModule = (app, { clients }) => {
  app.get('/api/v1/oauth2clients', {
    schema: { operationId: 'listClients', tags, querystring: Page, response: { 200: ClientList, ...errorResponses() } },
    config: access('read'),
    handler: async (req, reply) => sendListing(req, reply, await clients.list(req.query)),
  });
  app.post('/api/v1/oauth2clients', {
    schema: { operationId: 'createClient', tags, body: ClientWrite, response: { 201: ClientCreated, ...errorResponses(409) } },
    config: access('create'),
    handler: async (req, reply) => reply.status(201).send(await clients.create(req.auth, req.body)),
  });
  app.get('/api/v1/oauth2clients/:clientID', {
    schema: { operationId: 'getClient', tags, params: ClientParams, response: { 200: ClientRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => clients.get(req.params.clientID),
  });
  app.put('/api/v1/oauth2clients/:clientID', {
    schema: { operationId: 'updateClient', tags, params: ClientParams, body: ClientWrite, response: { 200: ClientCreated, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req) => clients.update(req.auth, req.params.clientID, req.body),
  });
  app.delete('/api/v1/oauth2clients/:clientID', {
    schema: { operationId: 'deleteClient', tags, params: ClientParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await clients.delete(req.params.clientID);
      return reply.send();
    },
  });
};
