/**
 * Client credentials as the token, introspection and revocation endpoints receive them
 * (RFC 6749 §2.3.1): HTTP Basic or form parameters for confidential clients, the client_id
 * alone for public ones. The core checks them.
 */
import type { FastifyRequest } from 'fastify';
import type { ClientRecord } from '../../core/clients/service.ts';
import type { Services } from '../../core/index.ts';
import { refusedCredential, refuseOverBudget } from '../../http/access.ts';
import { authorizationHeader } from '../../http/bearer.ts';
import type { FaceDeps } from '../../http/faces.ts';
import { ClientAuthenticationFailed, InvalidRequest } from '../../kernel/errors.ts';

function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const header = authorizationHeader(request);
  if (!header) return undefined;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (!match?.[1]) throw new ClientAuthenticationFailed('the Authorization header must be HTTP Basic client credentials');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new ClientAuthenticationFailed('malformed Basic credentials');
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new ClientAuthenticationFailed('malformed Basic credentials');
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

/**
 * Authenticates the client, and budgets the attempt (issue 9): a refused client counts
 * against its address's failed-authentication budget and is audited; an authenticated one
 * against its own hourly budget, so neither guessing secrets nor hammering the token
 * endpoint is unbounded.
 */
export async function authenticateClient(
  { core, limiter }: FaceDeps,
  request: FastifyRequest,
  form: Record<string, string | undefined>,
): Promise<ClientRecord> {
  const route = request.routeOptions.url ?? '';
  let client: ClientRecord;
  try {
    client = await clientOf(core, request, form);
  } catch (error) {
    if (!(error instanceof ClientAuthenticationFailed)) throw error;
    await refusedCredential({ core, limiter }, request, 'oauth2', error.message);
    throw error;
  }
  refuseOverBudget(
    await limiter.check({ face: 'oauth2', route, ip: request.ip, principal: { kind: 'system', subject: `client:${client.id}`, roleNames: [] } }),
  );
  return client;
}

async function clientOf(core: Services, request: FastifyRequest, form: Record<string, string | undefined>): Promise<ClientRecord> {
  const basic = basicCredentials(request);
  if (basic && form.client_secret) throw new InvalidRequest('use one client authentication method, not two');
  const id = basic?.id ?? form.client_id;
  const secret = basic?.secret ?? form.client_secret;
  if (!id) throw new ClientAuthenticationFailed('client authentication is required');
  if (basic && form.client_id && form.client_id !== basic.id) throw new InvalidRequest('client_id does not match the authenticated client');
  return core.clients.authenticate({ id, secret, method: basic ? 'client_secret_basic' : secret !== undefined ? 'client_secret_post' : 'none' });
}
