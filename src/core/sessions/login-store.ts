/** SQL of login requests (table login_requests). */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';
import type { AuthorizationRequest, LoginRequestRecord, PendingIdentity } from './model.ts';

const columns = 'id, client_id, request, browser_hash, provider_id, upstream_secrets_ciphertext, pending_identity';

export async function createLoginRequest(db: Queryable, stateHash: string, request: AuthorizationRequest, browserHash: string | null) {
  await db.query(
    `INSERT INTO login_requests (id, state_hash, client_id, request, browser_hash, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + interval '30 minutes')`,
    [randomUUID(), stateHash, request.clientId, JSON.stringify(request), browserHash],
  );
}

export async function findOpenLoginRequest(db: Queryable, stateHash: string): Promise<LoginRequestRecord | undefined> {
  const result = await db.query<LoginRequestRecord>(
    `SELECT ${columns} FROM login_requests WHERE state_hash = $1 AND completed_at IS NULL AND expires_at > now()`,
    [stateHash],
  );
  return result.rows[0];
}

export async function startUpstream(db: Queryable, id: string, providerId: string, upstreamStateHash: string, secrets: string) {
  await db.query(`UPDATE login_requests SET provider_id = $2, upstream_state_hash = $3, upstream_secrets_ciphertext = $4 WHERE id = $1`, [
    id,
    providerId,
    upstreamStateHash,
    secrets,
  ]);
}

/** Consumes the upstream state: a callback can use it once (a replayed callback finds nothing). */
export async function consumeUpstreamState(db: Queryable, upstreamStateHash: string): Promise<LoginRequestRecord | undefined> {
  const result = await db.query<LoginRequestRecord>(
    `UPDATE login_requests SET upstream_state_hash = NULL
      WHERE upstream_state_hash = $1 AND completed_at IS NULL AND expires_at > now()
      RETURNING ${columns}`,
    [upstreamStateHash],
  );
  return result.rows[0];
}

/** Parks a verified newcomer's identity until onboarding; the request gets a fresh state. */
export async function holdForOnboarding(db: Queryable, id: string, identity: PendingIdentity, stateHash: string) {
  await db.query('UPDATE login_requests SET pending_identity = $2, state_hash = $3 WHERE id = $1', [id, JSON.stringify(identity), stateHash]);
}

/** Marks the request done; false if another request already completed it. */
export async function completeLoginRequest(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query('UPDATE login_requests SET completed_at = now() WHERE id = $1 AND completed_at IS NULL', [id]);
  return result.rowCount > 0;
}

export async function purgeExpiredLoginRequests(db: Queryable): Promise<number> {
  return (await db.query(`DELETE FROM login_requests WHERE expires_at < now() - interval '1 hour'`)).rowCount;
}
