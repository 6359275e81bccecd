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
import { seedPgliteDataDir } from './support/databases.ts';
import { cli, serve } from './support/serve.ts';

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
      const denied = await fetch(`${server.url}/api/v1/organizations`, { headers: { authorization: 'Bearer tsr_bst_nope' } });
      assert.equal(denied.status, 401);
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
      assert.deepEqual((await list.json()).map((o: any) => o.metadata.name), ['first']);
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
    const install = spawnSync(npm, ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '.'], { encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    const help = spawnSync(join(prefix, 'bin', 'tessera'), ['--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: tessera <command>/);
  });

  it('migrates with `tessera migrate`', async () => {
    const dataDir = await tempDir({ migrated: false });
    const first = spawnSync(process.execPath, [...cli, 'migrate', '--data-dir', dataDir], { encoding: 'utf8' });
    assert.equal(first.stdout, 'applied 0001_init, 0002_oidc, 0003_oidc_conformance, 0004_apitokens_audit, 0005_oidc_claims, 0006_change_feed, 0007_change_feed_workload_and_tokens\n', first.stderr);
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
});
