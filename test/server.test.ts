/**
 * The real command: `tessera serve` on the embedded database in a fresh data directory,
 * driven over HTTP on loopback.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freshPostgres, seedPgliteDataDir } from './support/databases.ts';
import { cli, serve } from './support/serve.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

// The tests wait on child processes most of the time: they run side by side.
describe('tessera serve', { concurrency: true }, () => {
  const dirs: string[] = [];
  /** A new data directory: a new installation, its embedded database initialized (and migrated unless asked). */
  const tempDir = async (options = { migrated: true }) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
    dirs.push(dir);
    await seedPgliteDataDir(dir, options);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('bootstraps a new installation with a token file and serves the API with it', async () => {
    const dataDir = await tempDir();
    const server = await serve({ TESSERA_DATA_DIR: dataDir });
    try {
      const file = join(dataDir, 'bootstrap-token');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(dataDir, 'secret')).mode & 0o777, 0o600);
      const token = readFileSync(file, 'utf8').trim();
      assert.match(token, /^tsr_bst_[0-9A-Za-z]{49}$/);
      assert.ok(server.output().includes(file), 'the log says where the token is');
      const created = await fetch(`${server.url}/api/v1/organizations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { name: 'first' }, spec: { organizationType: 'adhoc' } }),
      });
      assert.equal(created.status, 202);
      const denied = await fetch(`${server.url}/api/v1/organizations`, {
        headers: { authorization: 'Bearer tsr_bst_nope', 'x-request-id': 'support-ticket-4711' },
      });
      assert.equal(denied.status, 401);
      assert.equal(denied.headers.get('x-request-id'), 'support-ticket-4711', 'the caller’s request ID comes back');
      assert.match(server.output(), /"where metrics are served"/, 'the start-up log says where metrics are');
      assert.match(server.output(), /"metrics":"not served \(set TESSERA_METRICS_PORT, or TESSERA_METRICS_TOKEN for the API port\)"/);
      assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      // A URL carrying a secret (an activation link) is logged without its query.
      const org = (await created.json()).metadata.id;
      const user = await fetch(`${server.url}/api/v1/organizations/${org}/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ spec: { subject: 'new@example.com', state: 'active', groupIDs: [] } }),
      });
      const link = new URL((await user.json()).status.signupLink);
      assert.equal((await fetch(`${server.url}${link.pathname}${link.search}`)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(server.output().includes('"path":"/api/v1/signup"'), 'requests are logged');
      assert.match(server.output(), /"reqId":"support-ticket-4711".*"status":401/, 'the log line carries the request ID');
      assert.ok(!server.output().includes(link.searchParams.get('token')!), 'the activation token never reaches the log');
      assert.ok(!server.output().includes(token), 'the bearer token never reaches the log');
    } finally {
      await server.stop();
    }
    // A second start keeps the data and does not bootstrap again.
    const tokenBefore = readFileSync(join(dataDir, 'bootstrap-token'), 'utf8');
    const again = await serve({ TESSERA_DATA_DIR: dataDir });
    try {
      assert.equal(readFileSync(join(dataDir, 'bootstrap-token'), 'utf8'), tokenBefore);
      const list = await fetch(`${again.url}/api/v1/organizations`, { headers: { authorization: `Bearer ${tokenBefore.trim()}` } });
      assert.deepEqual(
        (await list.json()).map((o: any) => o.metadata.name),
        ['first'],
      );
      assert.ok(!again.output().includes('bootstrap credential created'));
    } finally {
      await again.stop();
    }
  });

  it('takes the bootstrap token from TESSERA_BOOTSTRAP_TOKEN and writes no file', async () => {
    const dataDir = await tempDir();
    const token = 'my-own-bootstrap-token-0123456789abcdef';
    const server = await serve({ TESSERA_DATA_DIR: dataDir, TESSERA_BOOTSTRAP_TOKEN: token });
    try {
      assert.throws(() => statSync(join(dataDir, 'bootstrap-token')));
      const res = await fetch(`${server.url}/api/v1/acl`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.ok(!server.output().includes(token));
    } finally {
      await server.stop();
    }
  });

  it('refuses a bad configuration with a message naming the setting', () => {
    const result = spawnSync(process.execPath, [...cli, 'serve'], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'tessera: configuration error: PORT: "eighty" is not a TCP port (0-65535)\n');
  });

  it('refuses to start, naming the setting, when its port or its metrics port is taken', async () => {
    const dataDir = await tempDir();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as AddressInfo).port);
    try {
      const run = (env: Record<string, string>) =>
        spawnSync(process.execPath, [...cli, 'serve', '--host', '127.0.0.1'], { env: { ...process.env, TESSERA_DATA_DIR: dataDir, ...env }, encoding: 'utf8' });
      const api = run({ PORT: port });
      assert.equal(api.status, 1);
      assert.equal(api.stderr, `tessera: configuration error: PORT: cannot listen on 127.0.0.1:${port}: the address is in use\n`);
      const metrics = run({ PORT: '0', TESSERA_METRICS_PORT: port });
      assert.equal(metrics.status, 1);
      assert.equal(metrics.stderr, `tessera: configuration error: TESSERA_METRICS_PORT: cannot listen on 127.0.0.1:${port}: the address is in use\n`);
      assert.ok(!metrics.stdout.includes('Server listening'), 'the API did not listen either');
    } finally {
      taken.close();
    }
  });

  it('installs as the `tessera` command (package.json names the file to link)', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'tessera-install-'));
    dirs.push(prefix);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const install = spawnSync(npm, ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '.'], {
      encoding: 'utf8',
    });
    assert.equal(install.status, 0, install.stderr);
    const help = spawnSync(join(prefix, 'bin', 'tessera'), ['--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: tessera <command>/);
  });

  it('migrates with `tessera migrate`', async () => {
    const dataDir = await tempDir({ migrated: false });
    const first = spawnSync(process.execPath, [...cli, 'migrate', '--data-dir', dataDir], { encoding: 'utf8' });
    assert.equal(
      first.stdout,
      'applied 0001_init, 0002_oidc, 0003_oidc_conformance, 0004_apitokens_audit, 0005_oidc_claims, 0006_change_feed, 0007_change_feed_workload_and_tokens, 0008_signing_keys_permission\n',
      first.stderr,
    );
    const second = spawnSync(process.execPath, [...cli, 'migrate', '--data-dir', dataDir], { encoding: 'utf8' });
    assert.equal(second.stdout, 'database is up to date\n');
  });

  it('rotates the signing key with `tessera keys rotate`', async () => {
    const dataDir = await tempDir();
    const rotate = () => spawnSync(process.execPath, [...cli, 'keys', 'rotate', '--data-dir', dataDir], { encoding: 'utf8' });
    const first = rotate();
    const second = rotate();
    assert.match(first.stdout, /^new ES256 signing key [\w-]{43}\nnew RS256 signing key [\w-]{43}\n$/, first.stderr);
    assert.match(second.stdout, /^new ES256 signing key [\w-]{43}\nnew RS256 signing key [\w-]{43}\n$/);
    assert.notEqual(first.stdout, second.stdout);
  });

  const jwksKids = async (url: string) => ((await (await fetch(`${url}/oauth2/v2/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  it('holds its data directory: a second process is refused, told the holder’s PID and what to do', async () => {
    const dataDir = await tempDir();
    const server = await serve({ TESSERA_DATA_DIR: dataDir });
    try {
      const holder = new RegExp(
        `^tessera: TESSERA_DATA_DIR: the embedded database in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by process ${server.child.pid} \\(tessera serve, serving ${server.url}\\)\\. One process at a time may open an embedded database: stop that process first \\(kill ${server.child.pid}\\)`,
      );
      for (const command of [['serve', '--host', '127.0.0.1', '--port', '0'], ['migrate']]) {
        const second = spawnSync(process.execPath, [...cli, ...command, '--data-dir', dataDir], { encoding: 'utf8', timeout: 20_000 });
        assert.equal(second.status, 1, command[0]);
        assert.match(second.stderr, holder, command[0]);
        assert.ok(!second.stdout.includes('Server listening'), 'the second server never served');
      }
    } finally {
      await server.stop();
    }
    // A holder killed outright leaves no stale lock: the kernel takes it back.
    const killed = await serve({ TESSERA_DATA_DIR: dataDir });
    await new Promise((resolve) => {
      killed.child.once('exit', resolve);
      killed.child.kill('SIGKILL');
    });
    const next = await serve({ TESSERA_DATA_DIR: dataDir });
    await next.stop();
  });

  it('rotates keys through the running server that holds the data directory, and they survive a restart', async () => {
    const dataDir = await tempDir();
    const server = await serve({ TESSERA_DATA_DIR: dataDir });
    let made: string[];
    try {
      const before = await jwksKids(server.url);
      const rotate = spawnSync(process.execPath, [...cli, 'keys', 'rotate', '--data-dir', dataDir], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(rotate.status, 0, rotate.stderr);
      assert.equal(rotate.stderr, `tessera: the server at ${server.url} holds the embedded database; asking it to rotate\n`);
      made = [...rotate.stdout.matchAll(/^new (?:ES256|RS256) signing key ([\w-]{43})$/gm)].map((m) => m[1]!);
      assert.equal(made.length, 2, rotate.stdout);
      const after = await jwksKids(server.url);
      for (const kid of [...made, ...before]) assert.ok(after.includes(kid), 'the new keys are published at once, the old ones still');
      // Without a readable token the CLI says what it needs.
      const noToken = spawnSync(process.execPath, [...cli, 'keys', 'rotate', '--data-dir', dataDir], {
        encoding: 'utf8',
        env: { ...process.env, TESSERA_TOKEN: 'tsr_bst_not-a-real-token' },
      });
      assert.equal(noToken.status, 1);
      assert.match(noToken.stderr, /the server refused the rotation \(401\)/);
    } finally {
      await server.stop();
    }
    const again = await serve({ TESSERA_DATA_DIR: dataDir });
    try {
      const kids = await jwksKids(again.url);
      for (const kid of made) assert.ok(kids.includes(kid), 'the rotated keys are still there after a restart');
    } finally {
      await again.stop();
    }
  });

  it('answers --help for every command, --version, and names what it does not know', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [...cli, ...args], { encoding: 'utf8' });
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    for (const args of [['--version'], ['-v'], ['version']])
      assert.deepEqual([run(...args).status, run(...args).stdout], [0, `tessera ${version}\n`], args.join(' '));
    for (const args of [['--help'], ['-h'], ['help']]) assert.match(run(...args).stdout, /^usage: tessera <command> \[flags\]\n/, args.join(' '));
    for (const command of ['serve', 'migrate', 'keys rotate']) {
      for (const help of ['--help', '-h']) {
        const result = run(...command.split(' '), help);
        assert.equal(result.status, 0, `${command} ${help}: ${result.stderr}`);
        assert.match(result.stdout, new RegExp(`^usage: tessera ${command} \\[flags\\]\n`), `${command} ${help}`);
        assert.match(result.stdout, /--data-dir +\[TESSERA_DATA_DIR\]/);
      }
      assert.match(run('help', ...command.split(' ')).stdout, new RegExp(`^usage: tessera ${command} `));
    }
    assert.match(run('keys', '--help').stdout, /^usage: tessera keys <command>/);
    const refusals: [string[], string][] = [
      [['foo', 'bar'], 'tessera: unknown command "foo"; see `tessera --help`\n'],
      [['keys', 'burn'], 'tessera: unknown command "keys burn"; see `tessera keys --help`\n'],
      [['serve', '--bogus'], 'tessera: unknown flag --bogus; see `tessera serve --help`\n'],
      [['serve', 'extra'], 'tessera: unexpected argument "extra" (this command takes flags only); see `tessera serve --help`\n'],
      [['migrate', '--port', '1'], 'tessera: unknown flag --port; see `tessera migrate --help`\n'],
      [['serve', '--port'], 'tessera: flag --port needs a value; see `tessera serve --help`\n'],
    ];
    for (const [args, stderr] of refusals) assert.deepEqual([run(...args).status, run(...args).stderr], [2, stderr], args.join(' '));
  });

  it('names TESSERA_DATABASE_URL and the address when PostgreSQL cannot be reached, after retrying for a bounded time', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
    const dataDir = await tempDir();
    const started = Date.now();
    const result = spawnSync(process.execPath, [...cli, 'serve', '--host', '127.0.0.1', '--port', '0'], {
      env: {
        ...process.env,
        TESSERA_DATA_DIR: dataDir,
        TESSERA_DATABASE_URL: `postgres://tessera:s3cret-pw@127.0.0.1:${port}/tessera`,
        TESSERA_DB_STARTUP_WAIT: '2s',
      },
      encoding: 'utf8',
    });
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `tessera: configuration error: TESSERA_DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:${port}/tessera: connection refused: check that PostgreSQL runs and listens on that host and port\n`,
    );
    const retries = result.stdout.split('\n').filter((line) => line.includes('the database does not answer yet'));
    assert.ok(retries.length >= 2, `each retry is logged: ${result.stdout}`);
    assert.ok(Date.now() - started >= 1000, 'it waited before giving up');
    assert.ok(!`${result.stdout}${result.stderr}`.includes('s3cret-pw'), 'the password is never printed');
  });

  const postgres = process.env.TESSERA_TEST_DATABASE_URL;
  it('waits for a PostgreSQL that comes up after it starts', { skip: !postgres && 'needs PostgreSQL (TESSERA_TEST_DATABASE_URL)' }, async () => {
    const target = new URL(postgres!);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const db = await freshPostgres(postgres!, { migrated: true });
    proxy.mode('refuse');
    const url = new URL(db.url);
    url.host = proxy.address;
    const dataDir = await tempDir();
    // PostgreSQL "comes up" once Tessera has found it down at least once.
    void proxy.refusedOne().then(() => setTimeout(() => proxy.mode('forward'), 500));
    try {
      // The proxy lives in this busy test process: generous timeouts, so that its pauses are not taken for an outage.
      const server = await serve({
        TESSERA_DATA_DIR: dataDir,
        TESSERA_DATABASE_URL: url.href,
        TESSERA_DB_CONNECT_TIMEOUT: '60s',
        TESSERA_DB_STATEMENT_TIMEOUT: '60s',
      });
      try {
        assert.match(server.output(), /the database does not answer yet/);
        assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
      } finally {
        await server.stop();
      }
    } finally {
      await proxy.close();
      await db.close();
    }
  });
});
