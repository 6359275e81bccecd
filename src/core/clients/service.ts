import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/db.ts';
import type { Cache, Caches } from '../../kernel/cache.ts';
import { ClientAuthenticationFailed, GrantNotAllowed, InvalidRequest, NotFound } from '../../kernel/errors.ts';
import type { EventSink } from '../../kernel/events.ts';
import { isUuid } from '../../kernel/ids.ts';
import { isLoopback } from '../../kernel/ip.ts';
import type { Caller } from '../../rbac/caller.ts';
import { generateSecret, type SecretHasher } from '../../tokens/secrets.ts';
import { changedFields, metadataChanges } from '../common/changes.ts';
import { finishPage, type Listing, type PageQuery } from '../common/pagination.ts';
import type { ClientCredentials, ClientInput, ClientRecord, ClientValues, ClientWithSecret } from './model.ts';
import * as store from './store.ts';

export type { ClientCredentials, ClientInput, ClientRecord, ClientWithSecret } from './model.ts';

/**
 * Schemes that name no app of the user's but a browser or system feature: a code sent there
 * runs script, leaks, or lands nowhere.
 */
const forbiddenSchemes = new Set([
  'javascript:',
  'vbscript:',
  'data:',
  'blob:',
  'file:',
  'about:',
  'ftp:',
  'ws:',
  'wss:',
  'mailto:',
  'tel:',
  'sms:',
  'view-source:',
]);

/**
 * Exact redirect URIs: absolute, no fragment (RFC 6749 §3.1.2); https, plain http only on
 * loopback, or a native app's private-use scheme (RFC 8252 §7.1, ideally a reverse domain
 * name such as `com.example.app:/cb`). `javascript:`, `data:`, `file:` and the like are refused.
 */
function checkRedirectUri(field: string, uri: string) {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new InvalidRequest(`${field}: "${uri}" is not a valid URL`);
  }
  if (url.hash || uri.includes('#')) throw new InvalidRequest(`${field}: "${uri}" must not have a fragment`);
  if (url.protocol === 'http:' && !isLoopback(url)) throw new InvalidRequest(`${field}: "${uri}" must use https (http only on loopback)`);
  if (forbiddenSchemes.has(url.protocol)) {
    throw new InvalidRequest(`${field}: "${uri}" must use https, http on loopback, or a private-use scheme (RFC 8252 §7.1, e.g. com.example.app:/cb)`);
  }
}

/** OAuth clients (relying parties): platform administrators register them. */
export class ClientService {
  /** Clients as client authentication reads them, and the roles of system clients (for their access tokens). */
  private readonly records: Cache<ClientRecord>;
  private readonly systemRoles: Cache<{ role: string | null }>;

  constructor(
    private readonly db: Db,
    private readonly hasher: SecretHasher,
    private readonly events: EventSink,
    caches: Caches,
  ) {
    db.explainConstraints(store.constraints);
    this.records = caches.cache('clients');
    this.systemRoles = caches.cache('system_clients');
  }

  async list(page: PageQuery): Promise<Listing<ClientRecord>> {
    return finishPage(page, await store.listClients(this.db, page));
  }

  /** Any string may come in from a request: one that is not a UUID names no client. */
  async find(id: string): Promise<ClientRecord | undefined> {
    return isUuid(id) ? store.getClient(this.db, id) : undefined;
  }

  /** Whether browser apps served from `origin` are registered (as public clients): the CORS rule of the token endpoints. */
  isPublicClientOrigin(origin: string): Promise<boolean> {
    return origin.length <= 2048 ? store.isPublicClientOrigin(this.db, origin) : Promise.resolve(false);
  }

  async get(id: string): Promise<ClientRecord> {
    const row = await this.find(id);
    if (!row) throw new NotFound('client not found');
    return row;
  }

  async create(caller: Caller, input: ClientInput): Promise<ClientWithSecret> {
    const values = this.values(input);
    const secret = values.authMethod === 'none' ? undefined : generateSecret('cls');
    const id = randomUUID();
    return this.db.transaction(async () => {
      await store.insertClient(this.db, id, values, secret ? this.hasher.hash(secret) : null, caller.subject);
      await this.events.record(caller.event({ type: 'client.created', target: { kind: 'client', id } }));
      return { client: await this.get(id), secret };
    });
  }

  /** Switching between public and confidential issues or drops the secret; otherwise it is kept. */
  async update(caller: Caller, id: string, input: ClientInput): Promise<ClientWithSecret> {
    const values = this.values(input);
    return this.db.transaction(async () => {
      const current = await this.get(id);
      const wasPublic = current.token_endpoint_auth_method === 'none';
      const isPublic = values.authMethod === 'none';
      const secret = wasPublic && !isPublic ? generateSecret('cls') : undefined;
      const secretHash = isPublic ? null : secret ? this.hasher.hash(secret) : undefined;
      await store.updateClient(this.db, id, values, secretHash, caller.subject);
      const changes = changedFields({
        ...metadataChanges(current, values.metadata),
        'spec.redirectURIs': [current.redirect_uris, values.redirectUris],
        'spec.postLogoutRedirectURIs': [current.post_logout_redirect_uris, values.postLogoutRedirectUris],
        'spec.tokenEndpointAuthMethod': [current.token_endpoint_auth_method, values.authMethod],
        'spec.grantTypes': [current.grant_types, values.grantTypes],
        'spec.scopes': [current.scopes, values.scopes],
        'spec.roleID': [current.role_id, values.roleId],
        'spec.loginURI': [current.login_uri, values.loginUri],
        'spec.onboardingURI': [current.onboarding_uri, values.onboardingUri],
        'spec.homeURI': [current.home_uri, values.homeUri],
        'spec.errorURI': [current.error_uri, values.errorUri],
        'spec.idTokenSignedResponseAlg': [current.id_token_signed_response_alg, values.idTokenAlg],
      });
      await this.events.record(caller.event({ type: 'client.updated', target: { kind: 'client', id }, changes }));
      return { client: await this.get(id), secret };
    });
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.db.transaction(async () => {
      if (!(await store.deleteClient(this.db, id))) throw new NotFound('client not found');
      await this.events.record(caller.event({ type: 'client.deleted', target: { kind: 'client', id } }));
    });
  }

  /**
   * Client authentication (RFC 6749 §2.3.1): a public client by its ID alone, a
   * confidential one by its secret, compared as a keyed hash in constant time, with the
   * method it was registered for.
   */
  async authenticate(credentials: ClientCredentials): Promise<ClientRecord> {
    const client = await this.records.get(credentials.id, async () => {
      const found = await this.find(credentials.id);
      return found && { value: found, tags: [`client:${found.id}`] };
    });
    // One public description for every refusal of a secret (nothing for a guesser to tell apart); the log says which.
    if (!client) throw new ClientAuthenticationFailed('client authentication failed').withDetail('no client has this ID');
    if (client.token_endpoint_auth_method === 'none') {
      if (credentials.method !== 'none') throw new ClientAuthenticationFailed('this public client has no secret');
      return client;
    }
    if (credentials.method === 'none') throw new ClientAuthenticationFailed('client authentication failed').withDetail('a confidential client sent no secret');
    if (!client.secret_hash || !this.hasher.matches(credentials.secret ?? '', client.secret_hash)) {
      throw new ClientAuthenticationFailed('client authentication failed').withDetail('the secret does not match');
    }
    if (credentials.method !== client.token_endpoint_auth_method) {
      throw new ClientAuthenticationFailed(`this client authenticates with ${client.token_endpoint_auth_method}`);
    }
    return client;
  }

  /**
   * RFC 6749 §5.2 `unauthorized_client`: a client uses only the grant types it was registered
   * for, and a public client (no secret) never client_credentials (§4.4: confidential clients only).
   */
  requireGrantType(client: ClientRecord, grantType: string): void {
    if (!(client.grant_types as string[]).includes(grantType)) throw new GrantNotAllowed(`this client may not use ${grantType}`);
    if (grantType === 'client_credentials' && client.token_endpoint_auth_method === 'none') {
      throw new GrantNotAllowed('a public client cannot use client_credentials');
    }
  }

  /** The role of a system (client_credentials) client; undefined when it is gone or no longer one. */
  async systemRole(id: string): Promise<string | null | undefined> {
    const system = await this.systemRoles.get(id, async () => {
      const role = await store.systemClientRole(this.db, id);
      return role === undefined ? undefined : { value: { role }, tags: [`client:${id}`] };
    });
    return system?.role;
  }

  private values(input: ClientInput): ClientValues {
    const grantTypes = input.grantTypes ?? ['authorization_code', 'refresh_token'];
    const isPublic = input.public ?? false;
    const method = input.tokenEndpointAuthMethod;
    if (method !== undefined && (method === 'none') !== isPublic) {
      throw new InvalidRequest('spec.tokenEndpointAuthMethod is "none" exactly when spec.public is true');
    }
    if (isPublic && grantTypes.includes('client_credentials')) {
      throw new InvalidRequest('a public client cannot use client_credentials: it has no secret');
    }
    if (grantTypes.includes('client_credentials') !== (input.roleId !== undefined)) {
      throw new InvalidRequest('spec.roleID is required with the client_credentials grant, and only with it');
    }
    if (grantTypes.includes('authorization_code') && input.redirectUris.length === 0) {
      throw new InvalidRequest('spec.redirectURIs needs at least one URI for the authorization_code grant');
    }
    for (const uri of input.redirectUris) checkRedirectUri('spec.redirectURIs', uri);
    for (const uri of input.postLogoutRedirectUris ?? []) checkRedirectUri('spec.postLogoutRedirectURIs', uri);
    return {
      metadata: input.metadata,
      authMethod: isPublic ? 'none' : (method ?? 'client_secret_basic'),
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
      grantTypes,
      scopes: input.scopes ?? ['openid', 'email', 'profile'],
      roleId: input.roleId ?? null,
      loginUri: input.loginUri ?? null,
      onboardingUri: input.onboardingUri ?? null,
      homeUri: input.homeUri ?? null,
      errorUri: input.errorUri ?? null,
      idTokenAlg: input.idTokenSignedResponseAlg ?? 'RS256',
    };
  }
}
