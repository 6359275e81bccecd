/** SQL of the signing-key ring (table signing_keys). */
import type { JWK } from 'jose';
import type { Queryable } from '../../db/db.ts';

export interface KeyRow {
  kid: string;
  /** A JWS algorithm (the key ring's SigningAlg). */
  alg: string;
  public_jwk: JWK;
  private_jwk_ciphertext: string;
  created_at: Date;
}

/** Serializes key creation across instances for the rest of the transaction. */
export async function lockKeyRing(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('tessera.keyring'))`);
}

export async function currentKey(db: Queryable, alg: string): Promise<KeyRow | undefined> {
  const result = await db.query<KeyRow>(
    `SELECT kid, alg, public_jwk, private_jwk_ciphertext, created_at FROM signing_keys
      WHERE alg = $1 AND retired_at IS NULL ORDER BY created_at DESC LIMIT 1`,
    [alg],
  );
  return result.rows[0];
}

/** Retires the current keys of the algorithm (published until their last token expires) and adds a new one. */
export async function replaceKey(
  db: Queryable,
  key: { kid: string; alg: string; publicJwk: JWK; sealedPrivateJwk: string },
  publishSeconds: number,
): Promise<KeyRow> {
  await db.query(
    `UPDATE signing_keys SET retired_at = now(), published_until = now() + make_interval(secs => $1)
      WHERE alg = $2 AND retired_at IS NULL`,
    [publishSeconds, key.alg],
    { notes: true },
  );
  const result = await db.query<KeyRow>(
    `INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_ciphertext) VALUES ($1, $2, $3, $4)
     RETURNING kid, alg, public_jwk, private_jwk_ciphertext, created_at`,
    [key.kid, key.alg, JSON.stringify(key.publicJwk), key.sealedPrivateJwk],
    { notes: true },
  );
  return result.rows[0]!;
}

/** A public key that is current, or retired but still published. */
export async function publishedKey(db: Queryable, kid: string): Promise<JWK | undefined> {
  const result = await db.query<{ public_jwk: JWK }>('SELECT public_jwk FROM signing_keys WHERE kid = $1 AND (retired_at IS NULL OR published_until > now())', [
    kid,
  ]);
  return result.rows[0]?.public_jwk;
}

export async function publishedKeys(db: Queryable): Promise<JWK[]> {
  const rows = await db.query<{ public_jwk: JWK }>(
    'SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL OR published_until > now() ORDER BY created_at DESC',
  );
  return rows.rows.map((r) => r.public_jwk);
}

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  created_at: Date;
  /** When it stopped signing; null while it is the current key of its algorithm. */
  retired_at: Date | null;
  /** Until when a retired key stays in the JWKS. */
  published_until: Date | null;
}

export async function listKeys(db: Queryable): Promise<SigningKeyRecord[]> {
  const rows = await db.query<SigningKeyRecord>(
    `SELECT kid, alg, created_at, retired_at, published_until FROM signing_keys
      WHERE retired_at IS NULL OR published_until > now() ORDER BY created_at DESC, kid`,
  );
  return rows.rows;
}
