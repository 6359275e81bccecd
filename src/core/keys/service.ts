/**
 * The signing key ring: one current key per algorithm (ES256 for access tokens and ID tokens
 * of clients that ask for it, RS256 for the other ID tokens). The newest unretired key of an
 * algorithm signs; a key older than the rotation age is retired (at the next signature, or by
 * `tessera keys rotate`) and stays published in the JWKS until every token it signed has expired. Private keys are stored
 * encrypted with the server secret. Public keys never change once written, so they are
 * cached; the current key is re-read at most every `refreshMs`, which bounds how long an
 * instance keeps signing with a key another instance retired.
 */
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Db } from '../../db/db.ts';
import { discardEvents, type EventSink } from '../../kernel/events.ts';
import type { Caller } from '../../rbac/caller.ts';
import { type SigningAlg, type SigningKey, type SigningKeys, signingAlgs } from '../../tokens/jwt.ts';
import { decrypt, encrypt } from '../../tokens/server-secret.ts';
import type { SigningKeyRecord } from './store.ts';
import * as store from './store.ts';

export type { SigningKeyRecord } from './store.ts';

export class KeyRing implements SigningKeys {
  private readonly current = new Map<SigningAlg, { key: SigningKey; createdAt: number; readAt: number }>();
  private readonly publicKeys = new Map<string, Promise<CryptoKey | undefined>>();
  /** Reads of the current key in flight, by algorithm. */
  private readonly loading = new Map<SigningAlg, Promise<SigningKey>>();

  constructor(
    private readonly db: Db,
    private readonly encryptionKey: Buffer,
    private readonly options: { rotationAgeSeconds: number; maxTokenLifetimeSeconds: number; refreshMs?: number },
    private readonly events: EventSink = discardEvents,
  ) {}

  /**
   * The key to sign with now, rotating first when the current one is too old. The key is read
   * again once a minute (another instance may have rotated it); the requests that find it due
   * meanwhile share that one read, instead of each taking the key ring's lock in turn.
   */
  signingKey(alg: SigningAlg = 'ES256'): Promise<SigningKey> {
    const now = Date.now();
    const cached = this.current.get(alg);
    const fresh = cached && now - cached.readAt < (this.options.refreshMs ?? 60_000);
    if (fresh && now - cached.createdAt < this.options.rotationAgeSeconds * 1000) return Promise.resolve(cached.key);
    let loading = this.loading.get(alg);
    if (!loading) {
      loading = this.load(alg, now).finally(() => this.loading.delete(alg));
      this.loading.set(alg, loading);
    }
    return loading;
  }

  private async load(alg: SigningAlg, now: number): Promise<SigningKey> {
    const row = await this.db.transaction(async () => {
      await store.lockKeyRing(this.db);
      const latest = await store.currentKey(this.db, alg);
      if (latest && now - latest.created_at.getTime() < this.options.rotationAgeSeconds * 1000) return latest;
      return this.newKey(alg);
    });
    const privateKey = (await importJWK(JSON.parse(decrypt(this.encryptionKey, row.private_jwk_ciphertext, `signing-key:${row.kid}`)), alg)) as CryptoKey;
    const key = { kid: row.kid, alg, privateKey };
    this.current.set(alg, { key, createdAt: row.created_at.getTime(), readAt: now });
    return key;
  }

  /** Every algorithm's current key, made if missing: what the JWKS must hold before anyone verifies. */
  async ensureKeys(): Promise<void> {
    for (const alg of signingAlgs) await this.signingKey(alg);
  }

  /**
   * Retires the current key of every algorithm and makes new ones (`tessera keys rotate`, or
   * `POST /api/v1/signingkeys/rotate` by a platform administrator, audited as theirs); their kids
   * by algorithm. Other instances sign with the new keys from their next read of the ring.
   */
  async rotate(by?: Caller): Promise<Record<SigningAlg, string>> {
    const kids = await this.db.transaction(async () => {
      await store.lockKeyRing(this.db);
      const made = {} as Record<SigningAlg, string>;
      for (const alg of signingAlgs) made[alg] = (await this.newKey(alg, by)).kid;
      return made;
    });
    this.current.clear();
    return kids;
  }

  /** The keys of the ring that are current or still published, newest first (as the JWKS, a new ring gets its first keys). */
  async list(): Promise<SigningKeyRecord[]> {
    await this.ensureKeys();
    return this.published();
  }

  /** The keys that are current or still published, as they are (a ring just rotated has its keys). */
  published(): Promise<SigningKeyRecord[]> {
    return store.listKeys(this.db);
  }

  /** The public key for a `kid` from a token header, if it is (still) published. */
  verificationKey(kid: string): Promise<CryptoKey | undefined> {
    let key = this.publicKeys.get(kid);
    if (!key) {
      key = store.publishedKey(this.db, kid).then(async (jwk) => (jwk ? ((await importJWK(jwk, jwk.alg)) as CryptoKey) : undefined));
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

  private async newKey(alg: SigningAlg, by?: Caller): Promise<store.KeyRow> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk); // RFC 7638
    const sealedPrivateJwk = encrypt(this.encryptionKey, JSON.stringify(await exportJWK(privateKey)), `signing-key:${kid}`);
    const row = await store.replaceKey(
      this.db,
      { kid, alg, publicJwk: { ...publicJwk, kid, alg, use: 'sig' }, sealedPrivateJwk },
      this.options.maxTokenLifetimeSeconds,
    );
    const event = { type: 'signingkey.created', target: { kind: 'signingkey', id: kid, name: alg } };
    await this.events.record(by ? by.event(event) : { ...event, actor: 'tessera' });
    return row;
  }
}
