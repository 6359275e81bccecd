/**
 * Issue 7, shutdown: requests in flight finish, new ones get the envelope and
 * `Connection: close`, idle kept-alive connections do not hold the exit, and the process
 * exits within seconds, also when its whole process group gets SIGTERM under `npm start`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createOrganization } from './fixtures.ts';
import { suite, uniqueName } from './helpers.ts';
import { seedPgliteDataDir } from './support/databases.ts';
import { serve } from './support/serve.ts';

/** A GET or POST over an agent of our own (so kept-alive connections are under the test's control). */
function call(agent: Agent, url: string, method = 'GET', body?: unknown, token?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

let gate: { reached: () => void; open: Promise<void> } | undefined;
suite(
  'shutdown drain',
  (ctx) => {
    it('finishes requests in flight and answers new ones 503 in the envelope, all with Connection: close', async () => {
      const org = await createOrganization(ctx().admin);
      const token = ctx().admin.token!;
      const inFlight = new Agent({ keepAlive: true });
      const kept = new Agent({ keepAlive: true });
      assert.equal((await call(kept, `${ctx().url}/healthz`)).headers.connection, 'keep-alive');
      let reached!: () => void;
      const atGate = new Promise<void>((resolve) => (reached = resolve));
      let open!: () => void;
      gate = { reached, open: new Promise<void>((resolve) => (open = resolve)) };
      const body = { metadata: { name: uniqueName('g') }, spec: { roleIDs: [], userIDs: [], serviceAccountIDs: [] } };
      const pending = call(inFlight, `${ctx().url}/api/v1/organizations/${org}/groups`, 'POST', body, token);
      await atGate;

      ctx().built.drain();
      const refused = await call(kept, `${ctx().url}/api/v1/organizations/${org}/groups`, 'GET', undefined, token);
      assert.deepEqual(
        [refused.status, refused.body],
        [503, { error: 'temporarily_unavailable', error_description: 'the server is shutting down; retry the request' }],
      );
      assert.deepEqual([refused.headers.connection, refused.headers['retry-after']], ['close', '1']);
      const closing = ctx().built.app.close();
      open();
      gate = undefined;
      const finished = await pending;
      assert.deepEqual([finished.status, finished.headers.connection], [201, 'close'], 'the request in flight finished');
      await closing;
      inFlight.destroy();
      kept.destroy();
    });
  },
  {},
  {
    listen: true,
    app: {
      events: {
        record: async (event) => {
          if (event.type !== 'group.created' || !gate) return;
          gate.reached();
          await gate.open;
        },
      },
    },
  },
);

describe('shutdown of the process', { concurrency: true }, () => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
    dirs.push(dir);
    await seedPgliteDataDir(dir, { migrated: true });
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const exited = (child: { once(event: 'exit', listener: (code: number | null) => void): unknown }) =>
    new Promise<{ code: number | null; seconds: number }>((resolve) => {
      const start = Date.now();
      child.once('exit', (code) => resolve({ code, seconds: (Date.now() - start) / 1000 }));
    });

  it('exits promptly on SIGTERM although a client keeps an idle connection open', async () => {
    const server = await serve({ TESSERA_DATA_DIR: await dataDir() });
    const agent = new Agent({ keepAlive: true });
    assert.equal((await call(agent, `${server.url}/healthz`)).status, 200);
    const exit = exited(server.child);
    server.child.kill('SIGTERM');
    const { code, seconds } = await exit;
    assert.equal(code, 0);
    assert.ok(seconds < 5, `exited in ${seconds}s`);
    agent.destroy();
  });

  it('takes a second signal during the drain as “stop now”, and says it cuts the requests in flight', async () => {
    const dir = await dataDir();
    const server = await serve({ TESSERA_DATA_DIR: dir });
    // A request in flight: authenticated, its headers are in, its body never completes.
    const url = new URL(`${server.url}/api/v1/organizations`);
    const token = readFileSync(join(dir, 'bootstrap-token'), 'utf8').trim();
    const slow = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '100' },
    });
    slow.on('error', () => undefined);
    slow.write('{"meta');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exit = exited(server.child);
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    const { code, seconds } = await exit;
    assert.equal(code, 1);
    assert.ok(seconds < 5, `exited in ${seconds}s, without waiting for the request`);
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const first = lines.find((line) => line.signal === 'SIGTERM' && /shutting down/.test(line.msg));
    assert.equal(first?.inFlight, 1, 'the first signal starts the drain');
    const second = lines.find((line) => /second SIGTERM during the shutdown: exiting now, cutting the requests in flight/.test(line.msg));
    assert.equal(second?.inFlight, 1, 'the second says how many requests it cuts');
    slow.destroy();
  });

  it('exits when `npm start` and its whole process group get SIGTERM, as in a container', async () => {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TESSERA_DATA_DIR: await dataDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, as a container's init would see it
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk;
        if (/Server listening at/.test(output)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${output}`)));
    });
    const start = Date.now();
    // Every process of the group holds the output pipe: it closes when the last one is gone.
    const gone = new Promise<number>((resolve) => child.stdout.once('close', () => resolve((Date.now() - start) / 1000)));
    process.kill(-child.pid!, 'SIGTERM');
    const seconds = await Promise.race([gone, new Promise<number>((resolve) => setTimeout(() => resolve(Number.POSITIVE_INFINITY), 8000).unref())]);
    assert.ok(seconds < 5, `every process of the group exited, in ${seconds}s`);
  });
});
