import type { ClientInput, ClientRecord, ClientWithSecret } from '../../../core/clients/service.ts';
import type { Operation } from '../../../rbac/model.ts';
import { parsePage, sendListing } from '../paging.ts';
import { errorResponses, type RouteModule, requires } from '../routing.ts';
import { Empty, Page } from '../schemas.ts';
import { readMetadata } from '../wire.ts';
import { ClientCreated, ClientList, ClientParams, ClientRead, ClientWrite } from './schemas.ts';

const tags = ['oauth2clients'];
const access = (op: Operation) => requires('global', 'identity:oauth2clients', op);

export function clientToWire(row: ClientRecord) {
  return {
    metadata: readMetadata(row),
    spec: {
      redirectURIs: row.redirect_uris,
      postLogoutRedirectURIs: row.post_logout_redirect_uris,
      public: row.token_endpoint_auth_method === 'none',
      tokenEndpointAuthMethod: row.token_endpoint_auth_method,
      grantTypes: row.grant_types,
      scopes: row.scopes,
      ...(row.role_id ? { roleID: row.role_id } : {}),
      ...(row.login_uri ? { loginURI: row.login_uri } : {}),
      ...(row.onboarding_uri ? { onboardingURI: row.onboarding_uri } : {}),
      ...(row.home_uri ? { homeURI: row.home_uri } : {}),
      ...(row.error_uri ? { errorURI: row.error_uri } : {}),
      idTokenSignedResponseAlg: row.id_token_signed_response_alg,
    },
    status: { clientID: row.id },
  };
}

/** The secret is shown once: on create, and when a public client becomes confidential. */
const withSecretToWire = ({ client, secret }: ClientWithSecret) => {
  const wire = clientToWire(client);
  return { ...wire, status: { ...wire.status, ...(secret ? { clientSecret: secret } : {}) } };
};

const fromWire = ({ metadata, spec }: ClientWrite): ClientInput => ({
  metadata,
  redirectUris: spec.redirectURIs,
  postLogoutRedirectUris: spec.postLogoutRedirectURIs,
  public: spec.public,
  tokenEndpointAuthMethod: spec.tokenEndpointAuthMethod,
  grantTypes: spec.grantTypes,
  scopes: spec.scopes,
  roleId: spec.roleID,
  loginUri: spec.loginURI,
  onboardingUri: spec.onboardingURI,
  homeUri: spec.homeURI,
  errorUri: spec.errorURI,
  idTokenSignedResponseAlg: spec.idTokenSignedResponseAlg,
});

export const clientRoutes: RouteModule = (app, { core: { clients } }) => {
  app.get('/api/v1/oauth2clients', {
    schema: { operationId: 'listClients', tags, querystring: Page, response: { 200: ClientList, ...errorResponses() } },
    config: access('read'),
    handler: async (req, reply) => sendListing(req, reply, await clients.list(parsePage(req.query)), clientToWire),
  });
  app.post('/api/v1/oauth2clients', {
    schema: { operationId: 'createClient', tags, body: ClientWrite, response: { 201: ClientCreated, ...errorResponses(409) } },
    config: access('create'),
    handler: async (req, reply) => reply.status(201).send(withSecretToWire(await clients.create(req.caller, fromWire(req.body)))),
  });
  app.get('/api/v1/oauth2clients/:clientID', {
    schema: { operationId: 'getClient', tags, params: ClientParams, response: { 200: ClientRead, ...errorResponses(404) } },
    config: access('read'),
    handler: async (req) => clientToWire(await clients.get(req.params.clientID)),
  });
  app.put('/api/v1/oauth2clients/:clientID', {
    schema: { operationId: 'updateClient', tags, params: ClientParams, body: ClientWrite, response: { 200: ClientCreated, ...errorResponses(404, 409) } },
    config: access('update'),
    handler: async (req) => withSecretToWire(await clients.update(req.caller, req.params.clientID, fromWire(req.body))),
  });
  app.delete('/api/v1/oauth2clients/:clientID', {
    schema: { operationId: 'deleteClient', tags, params: ClientParams, response: { 200: Empty, ...errorResponses(404) } },
    config: access('delete'),
    handler: async (req, reply) => {
      await clients.delete(req.caller, req.params.clientID);
      return reply.send();
    },
  });
};
