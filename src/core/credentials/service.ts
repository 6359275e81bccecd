/**
 * Opaque bearer credentials: issuing and verifying them. Every kind (bootstrap, service
 * account) goes through the same hash-and-lookup path.
 */
import type { Db } from '../../db/db.ts';
import type { Cache, Caches } from '../../kernel/cache.ts';
import { Unauthenticated } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { type Principal, platformAdministratorRole } from '../../rbac/model.ts';
import { constantTimeEqual, generateSecret, type SecretHasher, secretKind } from '../../tokens/secrets.ts';
import { lastUseDue } from '../common/last-use.ts';
import * as store from './store.ts';

export interface IssuedToken {
  token: string;
  expiresAt: Date | null;
}

export class CredentialService {
  private readonly byHash: Cache<store.CredentialRecord>;
  private readonly liveServiceAccounts: Cache<true>;

  constructor(
    private readonly db: Db,
    private readonly hasher: SecretHasher,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly caches: Caches,
  ) {
    this.byHash = caches.cache('credentials');
    this.liveServiceAccounts = caches.cache('service_accounts');
  }

  /**
   * Creates the platform-administrator credential of a new installation. Returns undefined
   * when one exists already (the database is not new).
   */
  async issueBootstrap(token?: string): Promise<IssuedToken | undefined> {
    return this.db.transaction(async () => {
      await store.lockBootstrap(this.db);
      if ((await store.countBootstrapCredentials(this.db)) > 0) return undefined;
      const secret = token ?? generateSecret('bst');
      await store.insertCredential(this.db, { kind: 'bootstrap', tokenHash: this.hasher.hash(secret) });
      return { token: secret, expiresAt: null };
    });
  }

  /** Replaces a service account's token (joining the caller's transaction); the old one stops working at once. */
  async issueServiceAccountToken(organizationId: string, serviceAccountId: string, ttlSeconds: number): Promise<IssuedToken> {
    return this.db.transaction(async () => {
      await store.deleteServiceAccountCredential(this.db, organizationId, serviceAccountId);
      const token = generateSecret('sat');
      const { expiresAt } = await store.insertCredential(this.db, {
        kind: 'service_account',
        tokenHash: this.hasher.hash(token),
        organizationId,
        serviceAccountId,
        expiresAt: new Date(Date.now() + ttlSeconds * 1000),
      });
      return { token, expiresAt };
    });
  }

  /** Whether a service account exists, in an organization not being deleted (for tokens exchanged for it). */
  async serviceAccountLive(organizationId: string, serviceAccountId: string): Promise<boolean> {
    const live = await this.liveServiceAccounts.get(`${organizationId}/${serviceAccountId}`, async () =>
      (await store.serviceAccountLive(this.db, organizationId, serviceAccountId)) ? { value: true, tags: [`org:${organizationId}`] } : undefined,
    );
    return live === true;
  }

  /**
   * Resolves a bearer token to its principal, or throws Unauthenticated. Hot path: a
   * checksum test, one HMAC and a cached lookup (one indexed query on a miss); no slow hash.
   */
  async authenticate(token: string): Promise<Principal> {
    if (secretKind(token) === null) throw new Unauthenticated('the access token is malformed');
    const hash = this.hasher.hash(token);
    const row = await this.byHash.get(hash, async () => {
      const found = await store.findByHash(this.db, hash);
      return found && { value: found, tags: found.organization_id ? [`org:${found.organization_id}`] : [] };
    });
    if (!row || !constantTimeEqual(hash, row.token_hash)) throw new Unauthenticated('the access token is not valid');
    const now = this.caches.now();
    if (row.expires_at && row.expires_at.getTime() <= now) throw new Unauthenticated('the access token has expired');
    if (row.organization_deleting) throw new Unauthenticated('the organization of this token is being deleted');
    if (lastUseDue(this.byHash, hash, row, now)) {
      store.touchCredential(this.db, row.id).catch((error) => this.log.warn({ err: error }, 'recording credential use failed'));
    }
    if (row.kind === 'bootstrap') return { kind: 'system', subject: 'tessera:bootstrap', roleNames: [platformAdministratorRole] };
    const serviceAccountId = row.service_account_id ?? '';
    return { kind: 'service_account', subject: serviceAccountId, serviceAccountId, organizationId: row.organization_id ?? '' };
  }
}
