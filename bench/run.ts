/**
 * `npm run bench`: Tessera's hot paths side by side with a ceiling and a peer, measured in the
 * same run on the same machine, and reported as ratios (never as absolute thresholds).
 *   ceiling   a bare `node:http` JSON reply: the most a Node.js service can do here
 *   peer      `oidc-provider`, in-memory: the reference OpenID provider for Node.js
 *   Tessera   the installed command, on PGlite and (TESSERA_BENCH_DATABASE_URL) on PostgreSQL
 * Every server and the load generator (autocannon) run in processes of their own. Settings:
 * BENCH_CONNECTIONS (50), BENCH_SECONDS (5), BENCH_WARMUP (2), BENCH_OUTPUT (bench/results.json).
 * docs/performance.md explains the table and records a run.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { roleIds } from '../test/fixtures.ts';
import { freePort } from '../test/support/client.ts';
import type { LoadResult, Scenario } from './load.ts';
import { type Results, type Row, report } from './report.ts';
import { basic, benchSecret, type Fixture, form, prepare, serve } from './tessera.ts';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);
const output = process.env.BENCH_OUTPUT ?? 'bench/results.json';

const rows: Row[] = [];
const servers: Results['servers'] = {};

/** Runs one scenario in a load-generator process. */
function load(scenario: Omit<Scenario, 'connections' | 'seconds' | 'warmupSeconds'>): Promise<LoadResult> {
  const full: Scenario = { connections, seconds, warmupSeconds, ...scenario };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(JSON.stringify(full));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/** Starts a helper server (ceiling, peer) that prints one JSON line when listening. */
function helper<T>(script: string): Promise<{ info: T; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve({ info: JSON.parse(chunk.toString()) as T, child }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** A server under load: its name in the table, and its process (for its CPU time). */
interface Target {
  name: string;
  pid?: number;
}

async function measure(target: Target, path: string, scenario: Parameters<typeof load>[0]): Promise<Row> {
  const result = await load({ ...scenario, serverPid: target.pid });
  console.error(`  ${target.name.padEnd(20)} ${path.padEnd(36)} ${String(result.requestsPerSecond).padStart(7)} req/s  p99 ${result.p99} ms`);
  return { target: target.name, path, ...result };
}

interface Measured {
  path: string;
  scenario: Parameters<typeof load>[0];
  goal?: number;
}

/**
 * Paths compared with one baseline, measured right before and right after them: this machine's
 * speed drifts from minute to minute, and each ratio is to the mean of the two measurements,
 * so a drift during the paths moves both sides alike.
 */
async function compared(baseline: { target: Target } & Measured, target: Target, paths: Measured[]): Promise<void> {
  const before = await measure(baseline.target, baseline.path, baseline.scenario);
  const measured: Row[] = [];
  for (const path of paths) measured.push(await measure(target, path.path, path.scenario));
  const after = await measure(baseline.target, baseline.path, baseline.scenario);
  const reference = (before.requestsPerSecond + after.requestsPerSecond) / 2;
  for (const [i, row] of measured.entries()) {
    row.ratio = { to: baseline.target.name, value: row.requestsPerSecond / reference, goal: paths[i]?.goal };
  }
  rows.push(before, ...measured, after);
}

/** Starts a helper server, runs `use` with it, and stops it. */
async function withHelper<T, R>(script: string, use: (info: T & { pid?: number }) => Promise<R>): Promise<R> {
  const { info, child } = await helper<T>(script);
  try {
    return await use({ ...info, pid: child.pid });
  } finally {
    child.kill();
  }
}

console.error('building dist/ ...');
execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });

type PeerInfo = { port: number; clientId: string; clientSecret: string };

async function benchTessera(target: string, env: Record<string, string>) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const common = { ...env, TESSERA_SECRET: benchSecret, TESSERA_ISSUER: url, TESSERA_RATE_LIMIT: '999999999', TESSERA_APITOKEN_MAX_TOKENS: '100000' };
  console.error(`preparing ${target} ...`);
  const fixture = await prepare(common, 2 * connections + 10);
  // The ceiling and the peer wait, idle, while Tessera serves: each is measured next to the
  // paths compared with it.
  await withHelper<{ port: number }, void>('bench/ceiling.ts', (ceiling) =>
    withHelper<PeerInfo, void>('bench/peer.ts', async (peer) => {
      const server = await serve(common, port);
      try {
        await measureTessera({ name: target, pid: server.pid }, url, fixture, ceiling, peer);
        const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
        const rssMb = Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
        servers[target] = { startupMs: Math.round(server.startupMs), rssMb, largeAclMs: fixture.largeAclMs };
      } finally {
        await server.stop();
      }
    }),
  );
}

async function measureTessera(target: Target, url: string, fixture: Fixture, ceiling: { port: number; pid?: number }, peer: PeerInfo & { pid?: number }) {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const json = { 'content-type': 'application/json' };
  const org = `${url}/api/v1/organizations/${fixture.organizationId}`;
  const ceilingTarget = { name: 'node:http', pid: ceiling.pid };
  const peerTarget = { name: 'oidc-provider', pid: peer.pid };
  await compared({ target: ceilingTarget, path: 'GET (JSON reply)', scenario: { url: `http://127.0.0.1:${ceiling.port}/` } }, target, [
    { path: 'ACL, service-account token', scenario: { url: `${org}/acl`, headers: bearer(fixture.serviceAccountToken) }, goal: 0.4 },
    { path: 'ACL, API token', scenario: { url: `${org}/acl`, headers: { authorization: `Token ${fixture.apiToken}` } }, goal: 0.4 },
    {
      path: 'ACL, large organization',
      scenario: { url: `${url}/api/v1/organizations/${fixture.largeOrganizationId}/acl`, headers: bearer(fixture.largeOrganizationToken) },
    },
  ]);

  const peerUrl = `http://127.0.0.1:${peer.port}`;
  const peerAuth = { ...form, authorization: basic(peer.clientId, peer.clientSecret) };
  const peerToken = (await (await fetch(`${peerUrl}/token`, { method: 'POST', headers: peerAuth, body: 'grant_type=client_credentials' })).json()) as {
    access_token: string;
  };
  const system = { ...form, authorization: basic(fixture.systemClient.id, fixture.systemClient.secret) };
  const tokenRequest = { method: 'POST' as const, body: 'grant_type=client_credentials' };
  await compared({ target: peerTarget, path: 'client_credentials', scenario: { url: `${peerUrl}/token`, headers: peerAuth, ...tokenRequest } }, target, [
    { path: 'client_credentials', scenario: { url: `${url}/oauth2/v2/token`, headers: system, ...tokenRequest }, goal: 2 },
  ]);
  await compared(
    {
      target: peerTarget,
      path: 'introspection',
      scenario: { url: `${peerUrl}/token/introspection`, method: 'POST', headers: peerAuth, body: `token=${peerToken.access_token}` },
    },
    target,
    [
      {
        path: 'introspection',
        scenario: { url: `${url}/oauth2/v2/introspect`, method: 'POST', headers: system, body: `token=${fixture.accessToken}` },
        goal: 2,
      },
    ],
  );

  rows.push(
    await measure(target, 'refresh-token rotation', {
      url: `${url}/oauth2/v2/token`,
      method: 'POST',
      headers: { ...form, authorization: basic(fixture.webClient.id, fixture.webClient.secret) },
      refreshTokens: fixture.refreshTokens,
    }),
    await measure(target, 'workload token (ES256)', {
      url: `${org}/projects/${fixture.projectId}/workloadtokens`,
      method: 'POST',
      headers: { ...bearer(fixture.serviceAccountToken), ...json },
      body: '{}',
    }),
    await measure(target, 'API-token creation (write)', {
      url: `${org}/apitokens`,
      method: 'POST',
      headers: { ...bearer(fixture.serviceAccountToken), ...json },
      body: JSON.stringify({ metadata: { name: 'bench-{n}' }, spec: { privileges: [{ roleID: roleIds.auditor }] } }),
    }),
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
try {
  await benchTessera('Tessera (PGlite)', { TESSERA_DATA_DIR: dataDir });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const serverUrl = process.env.TESSERA_BENCH_DATABASE_URL;
if (serverUrl) {
  const database = `tessera_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  try {
    await benchTessera('Tessera (PostgreSQL)', { TESSERA_DATABASE_URL: url.href, TESSERA_DATA_DIR: dataDir });
  } finally {
    await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
    await admin.end();
  }
} else {
  console.error('TESSERA_BENCH_DATABASE_URL is not set: Tessera on PostgreSQL is left out.');
}

const results: Results = { date: new Date().toISOString(), connections, seconds, warmupSeconds, rows, servers };
console.log(`\n${report(results)}`);
writeFileSync(output, `${JSON.stringify(results, null, 2)}\n`);
console.log(`Results: ${output}`);
