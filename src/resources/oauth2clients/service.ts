import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/db.ts';
import type { RequestAuth } from '../../http/auth.ts';
import { InvalidRequest, NotFound } from '../../http/errors.ts';
import { generateSecret, type SecretHasher } from '../../tokens/secrets.ts';
import { readMetadata } from '../common/metadata.ts';
import { finishPage, parsePage } from '../common/pagination.ts';
import type { Page } from '../common/schemas.ts';
import type { ClientWrite } from './schemas.ts';
import * as store from './store.ts';

export function clientToWire(row: store.ClientRow) {
  return {
    metadata: readMetadata(row),
    spec: {
      redirectURIs: row.redirect_uris,
      postLogoutRedirectURIs: row.post_logout_redirect_uris,
      public: row.token_endpoint_auth_method === 'none',
      tokenEndpointAuthMethod: row.token_endpoint_auth_method,
      grantTypes: row.grant_types as ('authorization_code' | 'refresh_token' | 'client_credentials')[],
      scopes: row.scopes as ('openid' | 'email' | 'profile')[],
      ...(row.role_id ? { roleID: row.role_id } : {}),
      ...(row.login_uri ? { loginURI: row.login_uri } : {}),
      ...(row.onboarding_uri ? { onboardingURI: row.onboarding_uri } : {}),
      ...(row.home_uri ? { homeURI: row.home_uri } : {}),
      ...(row.error_uri ? { errorURI: row.error_uri } : {}),
    },
    status: { clientID: row.id },
  };
}

/** Exact redirect URIs: absolute, no fragment (RFC 6749 §3.1.2); plain http only on loopback. */
function checkRedirectUri(field: string, uri: string) {
  const url = new URL(uri);
  if (url.hash || uri.includes('#')) throw new InvalidRequest(`${field}: "${uri}" must not have a fragment`);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !loopback) throw new InvalidRequest(`${field}: "${uri}" must use https (http only on loopback)`);
}

/** OAuth clients (relying parties): platform administrators register them. */
export class ClientService {
  constructor(
    private readonly db: Db,
    private readonly hasher: SecretHasher,
  ) {}

  async list(query: Page) {
    const page = parsePage(query);
    return finishPage(page, await store.listClients(this.db, page), clientToWire);
  }

  async get(id: string) {
    const row = await store.getClient(this.db, id);
    if (!row) throw new NotFound('client not found');
    return clientToWire(row);
  }

  async create(auth: RequestAuth, body: ClientWrite) {
    const values = this.values(body);
    const secret = values.authMethod === 'none' ? undefined : generateSecret('cls');
    const id = randomUUID();
    return this.db.transaction(async (tx) => {
      await store.insertClient(tx, id, values, secret ? this.hasher.hash(secret) : null, auth.principal.subject);
      const wire = clientToWire((await store.getClient(tx, id))!);
      return { ...wire, status: { ...wire.status, ...(secret ? { clientSecret: secret } : {}) } };
    });
  }

  /** Switching between public and confidential issues or drops the secret; otherwise it is kept. */
  async update(auth: RequestAuth, id: string, body: ClientWrite) {
    const values = this.values(body);
    return this.db.transaction(async (tx) => {
      const current = await store.getClient(tx, id);
      if (!current) throw new NotFound('client not found');
      const wasPublic = current.token_endpoint_auth_method === 'none';
      const isPublic = values.authMethod === 'none';
      const secret = wasPublic && !isPublic ? generateSecret('cls') : undefined;
      const secretHash = isPublic ? null : secret ? this.hasher.hash(secret) : undefined;
      await store.updateClient(tx, id, values, secretHash, auth.principal.subject);
      const wire = clientToWire((await store.getClient(tx, id))!);
      return { ...wire, status: { ...wire.status, ...(secret ? { clientSecret: secret } : {}) } };
    });
  }

  async delete(id: string) {
    if (!(await store.deleteClient(this.db, id))) throw new NotFound('client not found');
  }

  private values(body: ClientWrite): store.ClientValues {
    const { spec } = body;
    const grantTypes = spec.grantTypes ?? ['authorization_code', 'refresh_token'];
    const isPublic = spec.public ?? false;
    if (isPublic && grantTypes.includes('client_credentials')) {
      throw new InvalidRequest('a public client cannot use client_credentials: it has no secret');
    }
    if (grantTypes.includes('client_credentials') !== (spec.roleID !== undefined)) {
      throw new InvalidRequest('spec.roleID is required with the client_credentials grant, and only with it');
    }
    if (grantTypes.includes('authorization_code') && spec.redirectURIs.length === 0) {
      throw new InvalidRequest('spec.redirectURIs needs at least one URI for the authorization_code grant');
    }
    spec.redirectURIs.forEach((uri) => checkRedirectUri('spec.redirectURIs', uri));
    (spec.postLogoutRedirectURIs ?? []).forEach((uri) => checkRedirectUri('spec.postLogoutRedirectURIs', uri));
    return {
      metadata: body.metadata,
      authMethod: isPublic ? 'none' : (spec.tokenEndpointAuthMethod ?? 'client_secret_basic'),
      redirectUris: spec.redirectURIs,
      postLogoutRedirectUris: spec.postLogoutRedirectURIs ?? [],
      grantTypes,
      scopes: spec.scopes ?? ['openid', 'email', 'profile'],
      roleId: spec.roleID ?? null,
      loginUri: spec.loginURI ?? null,
      onboardingUri: spec.onboardingURI ?? null,
      homeUri: spec.homeURI ?? null,
      errorUri: spec.errorURI ?? null,
    };
  }
}
