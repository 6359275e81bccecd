/**
 * The load generator, in a process of its own so that it does not share the measured
 * server's event loop: autocannon against one scenario, first a warm-up, then the measured
 * run. Reads the scenario as JSON on stdin (it holds credentials: not on the command line, which
 * every local user can read) and prints its summary as JSON.
 *
 * Scenarios are plain data (they cross a process boundary):
 * - a fixed request; `{n}` in the body is replaced by a counter (unique names for writes);
 * - refresh-token rotation (RFC 6749 §6): every answer's new token is used for a later
 *   request, so the chains go on for the whole run.
 */
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import autocannon from 'autocannon';

export interface Scenario {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  refreshTokens?: string[];
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** The measured server's process, whose CPU time over the measured run is reported. */
  serverPid?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
  /** The server's CPU time (all its threads, user and system) per answer, in µs; Linux only. */
  cpuMicrosPerRequest?: number;
}

const scenario = JSON.parse(await text(process.stdin)) as Scenario;
let counter = 0;
// Refresh tokens not in flight. Each request takes one and each answer gives its successor
// back, so no token is ever presented twice (autocannon's per-request context does not last
// from one request to the next, so the pool is shared by the connections).
const refreshTokens = [...(scenario.refreshTokens ?? [])];

const request: autocannon.Request = {
  method: scenario.method ?? 'GET',
  headers: scenario.headers ?? {},
  setupRequest(req) {
    if (scenario.refreshTokens) {
      return { ...req, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshTokens.shift() ?? '' }).toString() };
    }
    return { ...req, body: scenario.body?.replaceAll('{n}', `${process.pid}-${++counter}`) };
  },
  onResponse(status, body) {
    if (scenario.refreshTokens && status === 200) refreshTokens.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
  },
};

function run(seconds: number) {
  return autocannon({ url: scenario.url, connections: scenario.connections, duration: seconds, requests: [request] });
}

/** A process's CPU time so far, in µs, from /proc (so on Linux only), where it is counted in 1/100 s. */
function cpuMicros(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime and stime (proc(5)), in clock ticks of USER_HZ = 100
  } catch {
    return undefined;
  }
}

if (scenario.warmupSeconds > 0) await run(scenario.warmupSeconds);
const cpuBefore = cpuMicros(scenario.serverPid);
const result = await run(scenario.seconds);
const cpuAfter = cpuMicros(scenario.serverPid);
const summary: LoadResult = {
  requestsPerSecond: Math.round(result.requests.average),
  p50: result.latency.p50,
  p99: result.latency.p99,
  requests: result.requests.total,
  failed: result.non2xx + result.errors + result.timeouts,
  ...(cpuBefore !== undefined && cpuAfter !== undefined && result.requests.total > 0
    ? { cpuMicrosPerRequest: Math.round((cpuAfter - cpuBefore) / result.requests.total) }
    : {}),
};
console.log(JSON.stringify(summary));
