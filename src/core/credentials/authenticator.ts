/**
 * The one entry point for bearer tokens, whatever face they arrive on: Tessera's signed
 * access tokens (JWT, RFC 9068), organization API tokens and its other opaque credentials. Either way: a signature or HMAC
 * check and at most one indexed lookup, which is also what makes revocation immediate
 * everywhere (a user token's session, a system client's registration).
 */
import type { Cache, Caches } from '../../kernel/cache.ts';
import { Unauthenticated } from '../../kernel/errors.ts';
import type { Principal } from '../../rbac/model.ts';
import { type AccessTokenPayload, looksLikeJwt, type TokenSigner } from '../../tokens/jwt.ts';
import { secretKind } from '../../tokens/secrets.ts';
import type { ApiTokenAuthentication } from '../apitokens/authentication.ts';
import type { ClientService } from '../clients/service.ts';
import type { SessionService } from '../sessions/service.ts';
import type { CredentialService } from './service.ts';

export class Authenticator {
  /** Access tokens whose signature, type, issuer and audience were verified, by the token itself. */
  private readonly verified: Cache<AccessTokenPayload>;

  constructor(
    private readonly opaque: CredentialService,
    private readonly apiTokens: ApiTokenAuthentication,
    private readonly signer: TokenSigner,
    private readonly sessions: SessionService,
    private readonly clients: ClientService,
    private readonly caches: Caches,
  ) {
    this.verified = caches.cache('access_tokens');
  }

  /** `from`: the client's address, for credentials bound to source addresses (API tokens). */
  async authenticate(token: string, from: { ip: string }): Promise<Principal> {
    if (looksLikeJwt(token)) return this.fromAccessToken(await this.verify(token), from.ip);
    if (secretKind(token) === 'oat') return this.apiTokens.authenticate(token, from.ip);
    return this.opaque.authenticate(token);
  }

  /**
   * Verifies a Tessera access token's signature, type, issuer, audience and expiry. A token
   * is presented many times: its signature is checked once, its expiry at every use.
   */
  async verify(token: string): Promise<AccessTokenPayload> {
    const payload = await this.verified.get(token, async () => {
      const verified = await this.signer.verifyAccessToken(token).catch(() => undefined);
      return verified && { value: verified, tags: [] };
    });
    if (!payload || (payload.exp ?? 0) * 1000 <= this.caches.now()) throw new Unauthenticated('the access token is not valid or has expired');
    return payload;
  }

  /** The principal of a verified access token, if what it stands for still exists. */
  async fromAccessToken(payload: AccessTokenPayload, ip?: string): Promise<Principal> {
    // Exchanged for an API token: it stands for that token, as long as the token works.
    if (payload.oat) return this.apiTokens.byId(payload.oat, ip);
    // Exchanged for a service account (RFC 8693): it stands for the account while it exists.
    if (payload.sa && payload.org) {
      if (!(await this.opaque.serviceAccountLive(payload.org, payload.sa)))
        throw new Unauthenticated('the service account of this access token no longer exists');
      return { kind: 'service_account', subject: payload.sa, serviceAccountId: payload.sa, organizationId: payload.org };
    }
    if (payload.sid) {
      const session = await this.sessions.live(payload.sid);
      if (!session) throw new Unauthenticated('the access token was revoked');
      if (session.state !== 'active') throw new Unauthenticated(`the user is ${session.state}`);
      return { kind: 'user', subject: session.email, userId: session.user_id, scope: payload.scope ?? '' };
    }
    // client_credentials: a system account with its client's role.
    const role = await this.clients.systemRole(payload.client_id);
    if (role === undefined) throw new Unauthenticated('the client of this access token no longer exists');
    return { kind: 'system', subject: payload.client_id, roleNames: role ? [role] : [] };
  }
}
