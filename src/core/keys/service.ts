/**
 * The ES256 signing key ring. The newest unretired key signs; a key older than the
 * rotation age is retired (at the next signature, or by `tessera keys rotate`) and stays
 * published in the JWKS until every token it signed has expired. Private keys are stored
 * encrypted with the server secret. Public keys never change once written, so they are
 * cached; the current key is re-read at most every `refreshMs`, which bounds how long an
 * instance keeps signing with a key another instance retired.
 */
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Db } from '../../db/db.ts';
import type { SigningKey, SigningKeys } from '../../tokens/jwt.ts';
import { decrypt, encrypt } from '../../tokens/server-secret.ts';
import * as store from './store.ts';

export class KeyRing implements SigningKeys {
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
    const cached = this.current;
    const fresh = cached && now - cached.readAt < (this.options.refreshMs ?? 60_000);
    if (fresh && now - cached.createdAt < this.options.rotationAgeSeconds * 1000) return cached.key;
    const row = await this.db.transaction(async () => {
      await store.lockKeyRing(this.db);
      const latest = await store.currentKey(this.db);
      if (latest && now - latest.created_at.getTime() < this.options.rotationAgeSeconds * 1000) return latest;
      return this.newKey();
    });
    const privateKey = (await importJWK(JSON.parse(decrypt(this.encryptionKey, row.private_jwk_ciphertext, `signing-key:${row.kid}`)), 'ES256')) as CryptoKey;
    this.current = { key: { kid: row.kid, privateKey }, createdAt: row.created_at.getTime(), readAt: now };
    return this.current.key;
  }

  /** Retires the current key and makes a new one (`tessera keys rotate`). */
  async rotate(): Promise<string> {
    const row = await this.db.transaction(async () => {
      await store.lockKeyRing(this.db);
      return this.newKey();
    });
    this.current = undefined;
    return row.kid;
  }

  /** The public key for a `kid` from a token header, if it is (still) published. */
  verificationKey(kid: string): Promise<CryptoKey | undefined> {
    let key = this.publicKeys.get(kid);
    if (!key) {
      key = store.publishedKey(this.db, kid).then(async (jwk) => (jwk ? ((await importJWK(jwk, 'ES256')) as CryptoKey) : undefined));
      // Unknown kids are not cached, so a key made by another instance is found later.
      key.then(
        (k) => k ?? this.publicKeys.delete(kid),
        () => this.publicKeys.delete(kid),
      );
      this.publicKeys.set(kid, key);
    }
    return key;
  }

  /** The JWKS: the current keys and the retired keys whose tokens may still be alive. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: await store.publishedKeys(this.db) };
  }

  private async newKey(): Promise<store.KeyRow> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk); // RFC 7638
    const sealedPrivateJwk = encrypt(this.encryptionKey, JSON.stringify(await exportJWK(privateKey)), `signing-key:${kid}`);
    return store.replaceKey(
      this.db,
      { kid, publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' }, sealedPrivateJwk },
      this.options.maxTokenLifetimeSeconds,
    );
  }
}
