/**
 * The server secret and the keys derived from it. One secret, several purposes, each with
 * its own HKDF-derived key (RFC 5869) so that no key serves two purposes.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerKeys {
  /** HMAC key for opaque secrets at rest. */
  hashKey: Buffer;
  /** AES-256-GCM key for secrets Tessera must read back (upstream client secrets, signing keys). */
  encryptionKey: Buffer;
  /** HMAC key for CSRF tokens of forms. */
  csrfKey: Buffer;
}

/** Uses TESSERA_SECRET when set, otherwise `<dataDir>/secret`, created (mode 0600) on first start. */
export function loadServerSecret(secret: string | undefined, dataDir: string): string {
  if (secret) return secret;
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(32).toString('hex');
  writeFileSync(file, generated + '\n', { mode: 0o600, flag: 'wx' });
  return generated;
}

export function deriveKeys(secret: string): ServerKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, 'tessera', info, 32));
  return { hashKey: derive('tessera/secret-hash/v1'), encryptionKey: derive('tessera/encryption/v1'), csrfKey: derive('tessera/csrf/v1') };
}

/** `v1.<iv>.<ciphertext>.<tag>` in base64url; the context is bound as associated data. */
export function encrypt(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function decrypt(key: Buffer, sealed: string, context: string): string {
  const [version, iv, ciphertext, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !ciphertext || !tag) throw new Error('unknown ciphertext format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
