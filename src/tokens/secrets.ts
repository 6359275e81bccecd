/**
 * Opaque secrets: `tsr_<kind>_<43 base62 chars of 256-bit randomness><6 base62 chars of
 * CRC-32>`. The type prefix tells scanners and people what leaked; the checksum lets the
 * server reject a mistyped or forged token without touching the database. At rest only a
 * keyed hash (HMAC-SHA256 under a key derived from the server secret) is kept, so a copy
 * of the database does not yield usable tokens. High-entropy secrets need no slow hash.
 */
import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * bst: bootstrap credential · sat: service-account token · cls: OAuth client secret · cod: authorization code · rft: refresh token ·
 * ses: browser session cookie · lgn: login state · sgn: signup link token · oat: organization API token
 */
export type SecretKind = 'bst' | 'sat' | 'cls' | 'cod' | 'rft' | 'ses' | 'lgn' | 'sgn' | 'oat';

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const bodyLength = 43; // ceil(256 / log2(62))
const checksumLength = 6; // 62^6 > 2^32
const pattern = /^tsr_([a-z]{3})_([0-9A-Za-z]{49})$/;

function toBase62(value: bigint, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out = alphabet[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}

const crcTable = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of an ASCII string (secrets are ASCII; `pattern` is checked before any other input gets here). */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (crcTable[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function generateSecret(kind: SecretKind): string {
  const body = toBase62(BigInt('0x' + randomBytes(32).toString('hex')), bodyLength);
  const prefix = `tsr_${kind}_`;
  return prefix + body + toBase62(BigInt(crc32(prefix + body)), checksumLength);
}

/**
 * Returns the kind of a well-formed Tessera secret, null for a `tsr_` string whose checksum
 * or shape is wrong, and undefined for any other string (e.g. a custom bootstrap token).
 */
export function secretKind(token: string): SecretKind | null | undefined {
  if (!token.startsWith('tsr_')) return undefined;
  const match = pattern.exec(token);
  if (!match) return null;
  const body = token.slice(0, token.length - checksumLength);
  const checksum = token.slice(token.length - checksumLength);
  return toBase62(BigInt(crc32(body)), checksumLength) === checksum ? (match[1] as SecretKind) : null;
}

/** Compares two strings without revealing, through timing, where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Keyed hashing and comparison of secrets, bound to the server's hash key. */
export class SecretHasher {
  /** Imported once: an HMAC keyed by a KeyObject skips importing raw key bytes at each call. */
  private readonly key: KeyObject;

  constructor(key: Buffer) {
    this.key = createSecretKey(key);
  }

  hash(token: string): string {
    return createHmac('sha256', this.key).update(token).digest('base64url');
  }

  /** Constant-time comparison of a presented token with a stored hash. */
  matches(token: string, storedHash: string): boolean {
    return constantTimeEqual(this.hash(token), storedHash);
  }
}
