/**
 * The ES256 signing key ring. The newest unretired key signs; a key older than the
 * rotation age is retired (at the next signature, or by `tessera keys rotate`) and stays
 * published in the JWKS until every token it signed has expired. Private keys are stored
 * encrypted with the server secret. Public keys never change once written, so they are
 * cached; the current key is re-read at most every `refreshMs`, which bounds how long an
 * instance keeps signing with a key another instance retired.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db, Queryable } from '../db/db.ts';
import { decrypt, encrypt } from './server-secret.ts';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

interface KeyRow {
  kid: string;
  public_jwk: JWK;
  private_jwk_ciphertext: string;
  created_at: Date;
}

export class KeyRing {
  private current?: { key: SigningKey; createdAt: number; readAt: number };
  private readonly publicKeys = new Map<string, Promise<CryptoKey | undefined>>();

  constructor(
    private readonly db: Db,
    private readonly encryptionKey: Buffer,
    private readonly options: { rotationAgeSeconds: number; maxTokenLifetimeSeconds: number; refreshMs?: number },
  ) {}

  /** The key to sign with now, rotating first when the current one is too old. */
  async signingKey(): Promise<SigningKey> {
    const now = Date.now();
    const fresh = this.current && now - this.current.readAt < (this.options.refreshMs ?? 60_000);
    if (fresh && now - this.current!.createdAt < this.options.rotationAgeSeconds * 1000) return this.current!.key;
    const row = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('tessera.keyring'))`);
      const latest = await currentRow(tx);
      if (latest && now - latest.created_at.getTime() < this.options.rotationAgeSeconds * 1000) return latest;
      return this.insertKey(tx);
    });
    const privateKey = (await importJWK(JSON.parse(decrypt(this.encryptionKey, row.private_jwk_ciphertext, `signing-key:${row.kid}`)), 'ES256')) as CryptoKey;
    this.current = { key: { kid: row.kid, privateKey }, createdAt: row.created_at.getTime(), readAt: now };
    return this.current.key;
  }

  /** Retires the current key and makes a new one (`tessera keys rotate`). */
  async rotate(): Promise<string> {
    const row = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('tessera.keyring'))`);
      return this.insertKey(tx);
    });
    this.current = undefined;
    return row.kid;
  }

  /** The public key for a `kid` from a token header, if it is (still) published. */
  verificationKey(kid: string): Promise<CryptoKey | undefined> {
    let key = this.publicKeys.get(kid);
    if (!key) {
      key = this.db
        .query<{ public_jwk: JWK }>(
          'SELECT public_jwk FROM signing_keys WHERE kid = $1 AND (retired_at IS NULL OR published_until > now())',
          [kid],
        )
        .then(async (r) => (r.rows[0] ? ((await importJWK(r.rows[0].public_jwk, 'ES256')) as CryptoKey) : undefined));
      // Unknown kids are not cached, so a key made by another instance is found later.
      key.then((k) => k ?? this.publicKeys.delete(kid), () => this.publicKeys.delete(kid));
      this.publicKeys.set(kid, key);
    }
    return key;
  }

  /** The JWKS: the current keys and the retired keys whose tokens may still be alive. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.db.query<{ public_jwk: JWK }>(
      'SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL OR published_until > now() ORDER BY created_at DESC',
    );
    return { keys: rows.rows.map((r) => r.public_jwk) };
  }

  private async insertKey(tx: Queryable): Promise<KeyRow> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk); // RFC 7638
    const published = { ...publicJwk, kid, alg: 'ES256', use: 'sig' };
    const sealed = encrypt(this.encryptionKey, JSON.stringify(await exportJWK(privateKey)), `signing-key:${kid}`);
    await tx.query(
      `UPDATE signing_keys SET retired_at = now(), published_until = now() + make_interval(secs => $1)
        WHERE retired_at IS NULL`,
      [this.options.maxTokenLifetimeSeconds],
    );
    const result = await tx.query<KeyRow>(
      `INSERT INTO signing_keys (kid, public_jwk, private_jwk_ciphertext) VALUES ($1, $2, $3)
       RETURNING kid, public_jwk, private_jwk_ciphertext, created_at`,
      [kid, JSON.stringify(published), sealed],
    );
    return result.rows[0];
  }
}

async function currentRow(db: Queryable): Promise<KeyRow | undefined> {
  const result = await db.query<KeyRow>(
    `SELECT kid, public_jwk, private_jwk_ciphertext, created_at FROM signing_keys
      WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`,
  );
  return result.rows[0];
}
