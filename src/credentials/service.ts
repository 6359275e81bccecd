/**
 * Opaque bearer credentials: issuing and verifying them. Every kind (bootstrap, service
 * account) goes through the same hash-and-lookup path; authenticator.ts puts this beside
 * the verification of signed access tokens.
 */
import type { Db, Queryable } from '../db/db.ts';
import { AccessDenied } from '../http/errors.ts';
import { platformAdministratorRole, type Principal } from '../rbac/model.ts';
import { constantTimeEqual, generateSecret, secretKind, type SecretHasher } from '../tokens/secrets.ts';
import * as store from './store.ts';

export interface IssuedToken {
  token: string;
  expiresAt: Date | null;
}

export class CredentialService {
  constructor(
    private readonly db: Db,
    private readonly hasher: SecretHasher,
    private readonly log: { warn(obj: object, msg: string): void },
  ) {}

  /**
   * Creates the platform-administrator credential of a new installation. Returns undefined
   * when one exists already (the database is not new).
   */
  async issueBootstrap(token?: string): Promise<IssuedToken | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('tessera.bootstrap'))`);
      if ((await store.countBootstrapCredentials(tx)) > 0) return undefined;
      const secret = token ?? generateSecret('bst');
      await store.insertCredential(tx, { kind: 'bootstrap', tokenHash: this.hasher.hash(secret) });
      return { token: secret, expiresAt: null };
    });
  }

  /** Replaces a service account's token (in the caller's transaction); the old one stops working at once. */
  async issueServiceAccountToken(tx: Queryable, organizationId: string, serviceAccountId: string, ttlSeconds: number): Promise<IssuedToken> {
    await store.deleteServiceAccountCredential(tx, organizationId, serviceAccountId);
    const token = generateSecret('sat');
    const { expiresAt } = await store.insertCredential(tx, {
      kind: 'service_account',
      tokenHash: this.hasher.hash(token),
      organizationId,
      serviceAccountId,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    return { token, expiresAt };
  }

  /**
   * Resolves a bearer token to its principal, or throws 401. Hot path: a checksum test,
   * one HMAC and one indexed lookup; no slow hash.
   */
  async authenticate(token: string): Promise<Principal> {
    if (secretKind(token) === null) throw new AccessDenied('the access token is malformed');
    const hash = this.hasher.hash(token);
    const row = await store.findByHash(this.db, hash);
    if (!row || !constantTimeEqual(hash, row.token_hash)) throw new AccessDenied('the access token is not valid');
    if (row.expired) throw new AccessDenied('the access token has expired');
    if (row.organization_deleting) throw new AccessDenied('the organization of this token is being deleted');
    if (row.stale_last_use) {
      store.touchCredential(this.db, row.id).catch((error) => this.log.warn({ err: error }, 'recording credential use failed'));
    }
    switch (row.kind) {
      case 'bootstrap':
        return { kind: 'system', subject: 'tessera:bootstrap', roleNames: [platformAdministratorRole] };
      case 'service_account':
        return {
          kind: 'service_account',
          subject: row.service_account_id!,
          serviceAccountId: row.service_account_id!,
          organizationId: row.organization_id!,
        };
    }
  }
}
