import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseDuration } from '../src/config.ts';
import { Batcher } from '../src/kernel/batch.ts';
import { SecretHasher, generateSecret, secretKind } from '../src/tokens/secrets.ts';
import { decrypt, deriveKeys, encrypt } from '../src/tokens/server-secret.ts';

describe('opaque secrets', () => {
  it('have a type prefix, 256 bits of randomness and a checksum', () => {
    const token = generateSecret('sat');
    assert.match(token, /^tsr_sat_[0-9A-Za-z]{49}$/);
    assert.equal(secretKind(token), 'sat');
    assert.notEqual(generateSecret('sat'), token);
    const flipped = token.slice(0, 20) + (token[20] === 'a' ? 'b' : 'a') + token.slice(21);
    assert.equal(secretKind(flipped), null, 'a changed character fails the checksum');
    assert.equal(secretKind('tsr_sat_short'), null);
    assert.equal(secretKind('custom-bootstrap-token-of-some-length'), undefined);
  });

  it('are hashed with a key and compared in constant time', () => {
    const hasher = new SecretHasher(deriveKeys('k'.repeat(32)).hashKey);
    const other = new SecretHasher(deriveKeys('j'.repeat(32)).hashKey);
    const token = generateSecret('bst');
    const hash = hasher.hash(token);
    assert.equal(hash.length, 43);
    assert.ok(hasher.matches(token, hash));
    assert.ok(!hasher.matches(token + 'x', hash));
    assert.notEqual(other.hash(token), hash, 'the key matters');
  });

  it('encrypts readable secrets bound to their context', () => {
    const { encryptionKey } = deriveKeys('k'.repeat(32));
    const sealed = encrypt(encryptionKey, 'client-secret', 'oauth2provider:1');
    assert.equal(decrypt(encryptionKey, sealed, 'oauth2provider:1'), 'client-secret');
    assert.throws(() => decrypt(encryptionKey, sealed, 'oauth2provider:2'));
  });
});

describe('configuration', () => {
  it('has documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.issuer, 'http://localhost:8080');
    assert.ok(config.dataDir.endsWith('.tessera'));
    assert.equal(config.serviceAccountTokenTtl, 90 * 86400);
    assert.deepEqual(config.platformAdmins, []);
  });

  it('prefers flags to the environment', () => {
    const config = loadConfig({ PORT: '9000', TESSERA_ISSUER: 'https://id.example.com/' }, { port: '9100' });
    assert.equal(config.port, 9100);
    assert.equal(config.issuer, 'https://id.example.com');
  });

  it('names the bad setting', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT: "eighty" is not a TCP port (0-65535)'],
      [{ TESSERA_DATABASE_URL: 'mysql://x' }, 'TESSERA_DATABASE_URL: must be a postgres:// or postgresql:// URL'],
      [{ TESSERA_ISSUER: 'not a url' }, 'TESSERA_ISSUER: "not a url" is not an absolute URL'],
      [{ TESSERA_SECRET: 'short' }, 'TESSERA_SECRET: must be at least 32 characters (use 32 random bytes, e.g. `openssl rand -hex 32`)'],
      [{ TESSERA_PLATFORM_ADMINS: 'root@example.com, nobody' }, 'TESSERA_PLATFORM_ADMINS: "nobody" is not an email address'],
      [{ TESSERA_BOOTSTRAP_TOKEN: 'abc' }, 'TESSERA_BOOTSTRAP_TOKEN: must be at least 32 characters without white space'],
      [{ TESSERA_LOG_LEVEL: 'loud' }, 'TESSERA_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent'],
      [{ TESSERA_SERVICE_ACCOUNT_TOKEN_TTL: '3 weeks' }, 'TESSERA_SERVICE_ACCOUNT_TOKEN_TTL: "3 weeks" is not a duration like 90d, 12h, 30m or 45s'],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.message === message, message);
    }
    assert.equal(parseDuration('X', '12h'), 43200);
    assert.deepEqual(loadConfig({ TESSERA_PLATFORM_ADMINS: 'Root@Example.com, ops@example.com' }).platformAdmins, ['root@example.com', 'ops@example.com']);
  });
});

describe('batched writes', () => {
  it('write a lone item at once, and what queues up behind a write together in the next', async () => {
    const written: number[][] = [];
    let release: () => void = () => {};
    const batcher = new Batcher<number>(async (items) => {
      written.push(items);
      if (items[0] === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = batcher.add(1);
    assert.deepEqual(written, [[1]], 'the first item is written without waiting for company');
    const queued = [batcher.add(2), batcher.add(3), batcher.add(4)];
    let secondDone = false;
    void queued[0]!.then(() => (secondDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(secondDone, false, 'an item is not done before its batch is written');
    release();
    await Promise.all([first, ...queued]);
    assert.deepEqual(written, [[1], [2, 3, 4]]);
  });

  it('fail only the items of a batch that failed, and go on with the next', async () => {
    const batcher = new Batcher<string>(async (items) => {
      if (items.includes('bad')) throw new Error('the write failed');
    });
    const bad = batcher.add('bad');
    const alsoInThatBatch = batcher.add('x'); // queued behind the first write: a batch of its own
    await assert.rejects(bad, /the write failed/);
    await alsoInThatBatch;
    await batcher.add('later');
  });

  it('never hold more than the largest batch in one write', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number>(async (items) => {
      sizes.push(items.length);
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => batcher.add(i)));
    assert.deepEqual(sizes, [1, 3, 3, 1]);
  });
});
