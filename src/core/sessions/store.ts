/**
 * SQL of sessions and their tokens (tables sessions, authorization_codes, refresh_tokens,
 * browser_sessions). Single-use artifacts (codes, refresh tokens, upstream
 * states, signup links) are consumed with one `UPDATE ... WHERE consumed_at IS NULL
 * RETURNING`: of any number of concurrent redemptions exactly one gets the row.
 */
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../db/db.ts';
import type { CodeBindings, CodeRecord, LiveSessionRecord, RefreshTokenRecord, RotationRecord } from './model.ts';

export async function createSession(
  db: Queryable,
  s: { userId: string; clientId: string; scope: string; authTime: Date; ttlSeconds: number; single: boolean; browserSessionId?: string },
): Promise<string> {
  // One session per user per client unless configured otherwise: a new login ends the last.
  if (s.single) {
    await db.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND client_id = $2 AND revoked_at IS NULL`, [s.userId, s.clientId], {
      prepare: true,
      notes: true,
    });
  }
  const id = randomUUID();
  await db.query(
    `INSERT INTO sessions (id, user_id, client_id, scope, auth_time, expires_at, browser_session_id)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7)`,
    [id, s.userId, s.clientId, s.scope, s.authTime, s.ttlSeconds, s.browserSessionId ?? null],
    { prepare: true, notes: true },
  );
  return id;
}

/** A session that is neither revoked nor expired, with its account: one indexed lookup. */
export async function liveSession(db: Queryable, id: string): Promise<LiveSessionRecord | undefined> {
  const result = await db.query<LiveSessionRecord>(
    `SELECT s.id, s.user_id, s.client_id, s.scope, s.auth_time, s.expires_at, u.email, u.state
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
    [id],
    { prepare: true },
  );
  return result.rows[0];
}

export async function revokeSession(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1', [id], { notes: true });
}

/** Ends a browser's single-sign-on session and the client sessions started in it. */
export async function endBrowserSession(db: Queryable, browserSessionId: string): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = now() WHERE browser_session_id = $1 AND revoked_at IS NULL', [browserSessionId], { notes: true });
  await db.query('UPDATE browser_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [browserSessionId]);
}

// Authorization codes (RFC 6749 §4.1.2: short-lived, single use).

export async function insertCode(
  db: Queryable,
  c: { hash: string; sessionId: string; clientId: string; redirectUri: string; codeChallenge: string; nonce?: string; scope: string },
) {
  await db.query(
    `INSERT INTO authorization_codes (code_hash, session_id, client_id, redirect_uri, code_challenge, nonce, scope, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + interval '60 seconds')`,
    [c.hash, c.sessionId, c.clientId, c.redirectUri, c.codeChallenge, c.nonce ?? null, c.scope],
    { prepare: true },
  );
}

/** A code's bindings (client, redirect URI, PKCE challenge), read without consuming it. */
export async function findCode(db: Queryable, hash: string): Promise<CodeBindings | undefined> {
  const result = await db.query<CodeBindings>('SELECT client_id, redirect_uri, code_challenge FROM authorization_codes WHERE code_hash = $1', [hash], {
    prepare: true,
  });
  return result.rows[0];
}

/**
 * Consumes a code, and reads its session in the same statement: of parallel redemptions
 * exactly one gets `replayed` false, and it needs no second query that a revocation by the
 * others could overtake.
 */
export async function consumeCode(db: Queryable, hash: string): Promise<CodeRecord | undefined> {
  const result = await db.query<CodeRecord>(
    `UPDATE authorization_codes c SET consumed_at = COALESCE(c.consumed_at, now())
       FROM (SELECT code_hash, consumed_at IS NOT NULL AS replayed FROM authorization_codes WHERE code_hash = $1 FOR UPDATE) old,
            sessions s, users u
      WHERE c.code_hash = old.code_hash AND s.id = c.session_id AND u.id = s.user_id
      RETURNING c.session_id, c.client_id, c.nonce, c.scope,
                c.expires_at <= now() AS expired, old.replayed, s.user_id, s.auth_time,
                (s.revoked_at IS NULL AND s.expires_at > now() AND u.state = 'active') AS session_live`,
    [hash],
    { prepare: true },
  );
  return result.rows[0];
}

// Refresh tokens (RFC 9700 §4.14.2: rotation with replay detection).

export async function insertRefreshToken(db: Queryable, hash: string, sessionId: string, ttlSeconds: number) {
  await db.query(
    `INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
    [hash, sessionId, ttlSeconds],
    { prepare: true },
  );
}

/**
 * Rotates a refresh token of `clientId`'s session in one statement: the token is consumed and
 * its successor stored only if the token is unused and unexpired, its session live, its user
 * active and every scope asked for (`askedScopes`, null for all) within the grant; otherwise
 * nothing is written, and the flags say why. Of parallel rotations exactly one finds the token
 * unused (the row lock makes the others wait and see it consumed: a replay). Another client's
 * token is not found, so presenting it neither burns it nor counts as a replay.
 */
export async function rotateRefreshToken(
  db: Queryable,
  hash: string,
  clientId: string,
  successor: { hash: string; ttlSeconds: number },
  askedScopes: string[] | null,
): Promise<RotationRecord | undefined> {
  const result = await db.query<RotationRecord>(
    `WITH old AS (
       SELECT t.token_hash, t.session_id, t.consumed_at IS NOT NULL AS replayed, t.expires_at <= now() AS expired
         FROM refresh_tokens t JOIN sessions ts ON ts.id = t.session_id
        WHERE t.token_hash = $1 AND ts.client_id = $2 FOR UPDATE OF t),
     checked AS (
       SELECT old.token_hash, old.replayed, old.expired, s.id, s.user_id, s.client_id, s.scope, s.auth_time,
              (s.revoked_at IS NOT NULL OR s.expires_at <= now()) AS revoked, u.state AS user_state,
              ($5::text[] IS NULL OR $5::text[] <@ string_to_array(s.scope, ' ')) AS scope_allowed
         FROM old JOIN sessions s ON s.id = old.session_id JOIN users u ON u.id = s.user_id),
     consumed AS (
       UPDATE refresh_tokens r SET consumed_at = now() FROM checked c
        WHERE r.token_hash = c.token_hash
          AND NOT c.replayed AND NOT c.expired AND NOT c.revoked AND c.user_state = 'active' AND c.scope_allowed
        RETURNING c.id),
     successor AS (
       INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
       SELECT $3, id, now() + make_interval(secs => $4) FROM consumed
       RETURNING session_id)
     SELECT c.id, c.user_id, c.client_id, c.scope, c.auth_time, c.expired, c.replayed, c.revoked, c.user_state, c.scope_allowed,
            EXISTS (SELECT 1 FROM successor) AS rotated
       FROM checked c`,
    [hash, clientId, successor.hash, successor.ttlSeconds, askedScopes],
    { prepare: true },
  );
  return result.rows[0];
}

/** For introspection and revocation: the refresh token's session, without consuming it. */
export async function findRefreshToken(db: Queryable, hash: string): Promise<RefreshTokenRecord | undefined> {
  const result = await db.query<RefreshTokenRecord>(
    `SELECT s.id, s.user_id, s.client_id, s.scope, s.auth_time, r.expires_at AS exp, r.created_at AS iat, u.email,
            (r.consumed_at IS NULL AND r.expires_at > now() AND s.revoked_at IS NULL AND u.state = 'active') AS active
       FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
      WHERE r.token_hash = $1`,
    [hash],
    { prepare: true },
  );
  return result.rows[0];
}

// Browser (single-sign-on) sessions.

export async function createBrowserSession(db: Queryable, hash: string, userId: string, authTime: Date, ttlSeconds: number): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO browser_sessions (id, token_hash, user_id, auth_time, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
    [id, hash, userId, authTime, ttlSeconds],
  );
  return id;
}

export async function findBrowserSession(db: Queryable, hash: string) {
  const result = await db.query<{ id: string; user_id: string; auth_time: Date }>(
    `SELECT b.id, b.user_id, b.auth_time FROM browser_sessions b JOIN users u ON u.id = b.user_id
      WHERE b.token_hash = $1 AND b.revoked_at IS NULL AND b.expires_at > now() AND u.state = 'active'`,
    [hash],
    { prepare: true, notes: true },
  );
  return result.rows[0];
}

export async function purgeExpired(db: Queryable): Promise<number> {
  let removed = 0;
  for (const sql of [
    `DELETE FROM authorization_codes WHERE expires_at < now() - interval '1 hour'`,
    'DELETE FROM refresh_tokens WHERE expires_at < now()',
    `DELETE FROM browser_sessions WHERE expires_at < now() OR revoked_at < now() - interval '1 day'`,
    `DELETE FROM sessions WHERE expires_at < now() OR revoked_at < now() - interval '1 day'`,
  ]) {
    removed += (await db.query(sql)).rowCount;
  }
  return removed;
}
