/**
 * Using an API token: the hot path. A checksum test (by the Authenticator), one HMAC, a
 * cached read (one indexed query on a miss), the allow-list check, and a last-use write at
 * most once a minute per token. Introspection answers from the same cached row.
 * Refusals that say something about a token (a forbidden address, a rotated-out secret) are
 * audited with the token's ID, never its secret.
 */
import type { Db } from '../../db/db.ts';
import type { Cache, Caches } from '../../kernel/cache.ts';
import { Forbidden, Unauthenticated } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import type { Principal } from '../../rbac/model.ts';
import { constantTimeEqual, type SecretHasher } from '../../tokens/secrets.ts';
import type { AuditService } from '../audit/service.ts';
import { lastUseDue } from '../common/last-use.ts';
import type { ApiTokenCredential, ApiTokenIntrospection } from './model.ts';
import { sourceAllowed } from './source-ips.ts';
import * as store from './store.ts';

export class ApiTokenAuthentication {
  /** Keyed `hash:<secret's hash>` or `id:<token ID>`. */
  private readonly credentials: Cache<ApiTokenCredential>;

  constructor(
    private readonly db: Db,
    private readonly hasher: SecretHasher,
    private readonly audit: Pick<AuditService, 'refusal'>,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly caches: Caches,
  ) {
    this.credentials = caches.cache('api_tokens');
  }

  private cached(key: string, find: () => Promise<ApiTokenCredential | undefined>): Promise<ApiTokenCredential | undefined> {
    return this.credentials.get(key, async () => {
      const row = await find();
      return row && { value: row, tags: [`apitoken:${row.id}`, `org:${row.organization_id}`] };
    });
  }

  /**
   * The principal of an API token presented from `ip`, or Unauthenticated (Forbidden for an
   * address outside the token's allow-list). Every refusal names its reason, never the token.
   * Without an address (introspection) the allow-list is not checked and no use is recorded.
   */
  async authenticate(secret: string, ip: string | undefined): Promise<Principal> {
    return (await this.verified(secret, ip)).principal;
  }

  /** authenticate(), with the token's cached row. */
  private async verified(secret: string, ip: string | undefined): Promise<{ row: ApiTokenCredential; principal: Principal }> {
    const hash = this.hasher.hash(secret);
    const row = await this.cached(`hash:${hash}`, () => store.findCredential(this.db, hash));
    // The lookup was by this hash; the constant-time compare guards against an index that matched loosely.
    if (!row || !constantTimeEqual(hash, row.matched_previous ? (row.previous_token_hash ?? '') : row.token_hash)) {
      throw new Unauthenticated('the access token is not valid');
    }
    if (row.matched_previous && !(row.previous_valid_until && row.previous_valid_until.getTime() > this.caches.now())) {
      await this.refused(row, 'apitoken.rotated_secret_used', ip, 'the secret was rotated out and its grace period has ended');
      throw new Unauthenticated('the API token was rotated and its previous secret no longer works');
    }
    return { row, principal: await this.check(row, ip, `hash:${hash}`) };
  }

  private async check(row: ApiTokenCredential, ip: string | undefined, key: string): Promise<Principal> {
    const now = this.caches.now();
    if (!row.active) throw new Unauthenticated('the API token is deactivated');
    if (row.expires_at && row.expires_at.getTime() <= now) throw new Unauthenticated('the API token has expired');
    if (row.organization_deleting) throw new Unauthenticated('the organization of this token is being deleted');
    if (ip === undefined) return this.principal(row);
    if (!sourceAllowed(row.source_ips, ip)) {
      await this.refused(row, 'apitoken.source_refused', ip, 'the client address is not in the token’s allow-list');
      throw new Forbidden('the API token may not be used from this address');
    }
    if (lastUseDue(this.credentials, key, row, now)) {
      store.touchToken(this.db, row.id, ip).catch((error) => this.log.warn({ err: error }, 'recording API token use failed'));
    }
    return this.principal(row);
  }

  /**
   * A vendor face's login (Docker Hub's `POST /v2/auth/token`): the secret must be an API
   * token of the organization `organizationId`; any other pair is refused alike.
   */
  async exchange(organizationId: string | undefined, secret: string, ip: string): Promise<Principal & { kind: 'api_token' }> {
    const principal = await this.authenticate(secret, ip).catch((error) => {
      if (error instanceof Unauthenticated) return undefined;
      throw error;
    });
    if (principal?.kind !== 'api_token' || principal.organizationId !== organizationId) throw new Unauthenticated('the identifier and secret do not match');
    return principal;
  }

  /** The token a JWT exchanged for it stands for, checked again (active, not expired, address). */
  async byId(id: string, ip: string | undefined): Promise<Principal> {
    const row = await this.cached(`id:${id}`, () => store.findCredentialById(this.db, id));
    if (!row) throw new Unauthenticated('the API token of this access token no longer exists');
    return this.check(row, ip, `id:${id}`);
  }

  private refused(row: { id: string; organization_id: string; name: string }, action: string, ip: string | undefined, detail: string) {
    return this.audit.refusal({
      organizationId: row.organization_id,
      action,
      outcome: 'denied',
      actor: { kind: 'api_token', subject: `apitoken:${row.id}`, credentialId: row.id, ip },
      target: { type: 'apitoken', id: row.id, name: row.name },
      detail,
    });
  }

  private principal(row: { id: string; organization_id: string; rate_limit_per_hour: number | null }): Principal {
    return {
      kind: 'api_token',
      subject: `apitoken:${row.id}`,
      apiTokenId: row.id,
      organizationId: row.organization_id,
      ...(row.rate_limit_per_hour ? { rateLimitPerHour: row.rate_limit_per_hour } : {}),
    };
  }

  /**
   * For introspection by the platform's other services (RFC 7662): the token a secret
   * belongs to while it works, wherever it is used from (the resource server enforces
   * `sourceIPs` if it wants: it knows the client's address, Tessera does not).
   */
  async introspect(secret: string): Promise<{ token: ApiTokenIntrospection; principal: Principal } | undefined> {
    try {
      const { row, principal } = await this.verified(secret, undefined);
      // What introspection may tell of the token, not the cached row (which holds its hashes).
      const { organization_id, name, created_at, expires_at, resources, source_ips } = row;
      return { token: { organization_id, name, created_at, expires_at, resources, source_ips }, principal };
    } catch (error) {
      if (error instanceof Unauthenticated) return undefined;
      throw error;
    }
  }
}
