import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseDuration } from '../src/config.ts';
import { globMatches } from '../src/core/trustpolicies/glob.ts';
import { describeTarget, explainConnectFailure } from '../src/db/startup.ts';
import { Batcher } from '../src/kernel/batch.ts';
import { generateSecret, SecretHasher, secretKind } from '../src/tokens/secrets.ts';
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
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.message === message,
        message,
      );
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

describe('subject patterns of trust policies', () => {
  /** The definition, by dynamic programming over (pattern, subject) prefixes: slow but plainly right. */
  function reference(pattern: string, subject: string): boolean {
    const p = Array.from(pattern);
    const t = Array.from(subject);
    let row = [true, ...t.map(() => false)];
    for (const c of p) {
      const next = [c === '*' && row[0]!];
      for (let j = 1; j <= t.length; j++) {
        next[j] = c === '*' ? row[j]! || next[j - 1]! : row[j - 1]! && (c === '?' || c === t[j - 1]);
      }
      row = next;
    }
    return row[t.length]!;
  }

  it('match as the definition does: * any run, ? one character, the rest itself', () => {
    const cases: [string, string, boolean][] = [
      ['repo:acme/*:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/main', true],
      ['repo:acme/*:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/dev', false],
      ['*', '', true],
      ['', '', true],
      ['', 'x', false],
      ['a*a', 'a', false],
      ['a*a', 'aa', true],
      ['?', '😀', true],
      ['a.b', 'axb', false],
      ['[x]', '[x]', true],
      ['**', 'anything', true],
      ['*ab*ab*', 'xabab', true],
      ['*ab*ab*', 'xab', false],
    ];
    for (const [pattern, subject, expected] of cases) assert.equal(globMatches(pattern, subject), expected, `${pattern} ~ ${subject}`);
    // And on many random pairs over a small alphabet, where the pieces overlap often.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const pattern = word('ab*?', random(8));
      const subject = word('ab', random(12));
      assert.equal(globMatches(pattern, subject), reference(pattern, subject), `${pattern} ~ ${subject}`);
    }
  });

  // A backtracking matcher (a regular expression with a `.*` per star) takes exponential time
  // on these: `*a*a*a*a*b` on 291 characters blocked the process for seconds, and each further
  // star multiplies it. This test never finishes with one; with the linear matcher it is instant.
  it('match adversarial patterns and subjects without backtracking', { timeout: 10_000 }, () => {
    const pattern = `${'*a'.repeat(200)}*b`;
    assert.equal(globMatches(pattern, 'a'.repeat(1024)), false);
    assert.equal(globMatches(pattern, `${'a'.repeat(1023)}b`), true);
    assert.equal(globMatches('*?*?*?*?*?*?*?*?*?*?*?*?*x', '?'.repeat(1024)), false);
  });
});

describe('the first connection to PostgreSQL', () => {
  it('waits for what may mend itself, and says plainly what will not', () => {
    const retried = [
      { code: 'ECONNREFUSED' },
      { code: '57P03' },
      new Error('timeout expired'),
      new Error('Connection terminated unexpectedly'),
      { code: 'ENOTFOUND' },
    ];
    for (const error of retried) assert.equal(explainConnectFailure(error).retry, true, JSON.stringify(error) ?? String(error));
    for (const code of ['28P01', '3D000', '28000']) assert.equal(explainConnectFailure({ code }).retry, false, code);
    assert.match(explainConnectFailure({ code: '3D000' }).reason, /^the database does not exist: create it/);
    assert.equal(
      describeTarget('postgres://tessera:s3cret@db.internal:6432/identity?sslmode=require'),
      'db.internal:6432/identity',
      'no user, no password, no parameters',
    );
  });
});
