/** SQL of opaque bearer credentials (table credentials). */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';

export type CredentialKind = 'bootstrap' | 'service_account';

export interface CredentialRecord {
  id: string;
  kind: CredentialKind;
  token_hash: string;
  organization_id: string | null;
  service_account_id: string | null;
  expires_at: Date | null;
  organization_deleting: boolean;
  last_used_at: Date | null;
}

export interface NewCredential {
  kind: CredentialKind;
  tokenHash: string;
  organizationId?: string;
  serviceAccountId?: string;
  expiresAt?: Date;
}

/**
 * The one lookup of the credential hot path: by the unique token hash, with the owner's
 * state joined in so that no second query is needed. Times come back as they are stored (the
 * row is cached; expiry is judged at each use).
 */
export async function findByHash(db: Queryable, tokenHash: string): Promise<CredentialRecord | undefined> {
  const result = await db.query<CredentialRecord>(
    `SELECT c.id, c.kind, c.token_hash, c.organization_id, c.service_account_id,
            c.expires_at, c.last_used_at, COALESCE(o.deletion_time IS NOT NULL, false) AS organization_deleting
       FROM credentials c
       LEFT JOIN organizations o ON o.id = c.organization_id
      WHERE c.token_hash = $1`,
    [tokenHash],
    { prepare: true },
  );
  return result.rows[0];
}

export async function insertCredential(db: Queryable, credential: NewCredential): Promise<{ id: string; expiresAt: Date | null }> {
  const id = randomUUID();
  const result = await db.query<{ expires_at: Date | null }>(
    `INSERT INTO credentials (id, kind, token_hash, organization_id, service_account_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING expires_at`,
    [id, credential.kind, credential.tokenHash, credential.organizationId ?? null, credential.serviceAccountId ?? null, credential.expiresAt ?? null],
    { notes: true },
  );
  return { id, expiresAt: result.rows[0]!.expires_at };
}

/** Revokes a service account's token: the row goes, so the next lookup finds nothing. */
export async function deleteServiceAccountCredential(db: Queryable, organizationId: string, serviceAccountId: string): Promise<void> {
  await db.query('DELETE FROM credentials WHERE organization_id = $1 AND service_account_id = $2', [organizationId, serviceAccountId], { notes: true });
}

/** Serializes bootstrap across instances that start together, for the rest of the transaction. */
export async function lockBootstrap(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('tessera.bootstrap'))`);
}

export async function countBootstrapCredentials(db: Queryable): Promise<number> {
  const result = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM credentials WHERE kind = 'bootstrap'`);
  return result.rows[0]!.n;
}

/** Last-use tracking, at most once a minute per credential so that reads stay reads. */
export async function touchCredential(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE credentials SET last_used_at = now()
      WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
    { prepare: true, notes: true },
  );
}

/** A service account that exists, in an organization not being deleted (read across tables in one query). */
export async function serviceAccountLive(db: Queryable, organizationId: string, serviceAccountId: string): Promise<boolean> {
  const result = await db.query(
    `SELECT 1 FROM service_accounts s JOIN organizations o ON o.id = s.organization_id
      WHERE s.organization_id = $1 AND s.id = $2 AND o.deletion_time IS NULL`,
    [organizationId, serviceAccountId],
    { prepare: true },
  );
  return result.rowCount > 0;
}
