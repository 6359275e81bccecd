/**
 * Client authentication at the token, introspection and revocation endpoints
 * (RFC 6749 §2.3.1): HTTP Basic or form parameters for confidential clients, the client_id
 * alone for public ones. The secret is compared as a keyed hash in constant time.
 */
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.ts';
import { InvalidClient, InvalidRequest } from '../http/errors.ts';
import { getClient, type ClientRow } from '../resources/oauth2clients/store.ts';
import type { SecretHasher } from '../tokens/secrets.ts';


function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match) throw new InvalidClient('the Authorization header must be HTTP Basic client credentials');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('malformed Basic credentials');
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

export async function authenticateClient(
  db: Queryable,
  hasher: SecretHasher,
  request: FastifyRequest,
  form: Record<string, string | undefined>,
): Promise<ClientRow> {
  const basic = basicCredentials(request);
  if (basic && form.client_secret) throw new InvalidRequest('use one client authentication method, not two');
  const id = basic?.id ?? form.client_id;
  const secret = basic?.secret ?? form.client_secret;
  const method = basic ? 'client_secret_basic' : secret !== undefined ? 'client_secret_post' : 'none';
  if (!id) throw new InvalidClient('client authentication is required');
  if (basic && form.client_id && form.client_id !== basic.id) throw new InvalidRequest('client_id does not match the authenticated client');
  const client = await getClient(db, id);
  if (!client) throw new InvalidClient('client authentication failed');
  if (client.token_endpoint_auth_method === 'none') {
    if (method !== 'none') throw new InvalidClient('this public client has no secret');
    return client;
  }
  if (method === 'none' || !client.secret_hash || !hasher.matches(secret!, client.secret_hash)) {
    throw new InvalidClient('client authentication failed');
  }
  if (method !== client.token_endpoint_auth_method) {
    throw new InvalidClient(`this client authenticates with ${client.token_endpoint_auth_method}`);
  }
  return client;
}
