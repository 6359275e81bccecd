/**
 * The bench's report: the Markdown tables `npm run bench` prints from its results, which also
 * go to a JSON file. `tsx bench/report.ts results.json` prints a saved run's tables again.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { largeOrganization } from './large-org.ts';
import type { LoadResult } from './load.ts';
import type { Fixture } from './tessera.ts';

export interface Row extends LoadResult {
  target: string;
  path: string;
  /** req/s over the baseline's req/s, and the goal for it. */
  ratio?: { to: string; value: number; goal?: number };
}

export interface Results {
  date: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rows: Row[];
  servers: Record<string, { startupMs: number; rssMb: number; largeAclMs?: Fixture['largeAclMs'] }>;
}

const ms = (value: number) => value.toFixed(value < 10 ? 1 : 0);
// Rounded down, so that a ratio shown as meeting its goal does.
const times = (value: number) => `${(Math.floor(value * 100) / 100).toFixed(2)}×`;

export function report({ connections, seconds, warmupSeconds, rows, servers }: Results): string {
  const lines = [`${connections} connections, ${seconds} s per path after ${warmupSeconds} s of warm-up`, ''];
  lines.push('| target | path | req/s | p50 ms | p99 ms | server CPU µs/req | ratio | goal |', '|---|---|---:|---:|---:|---:|---|---|');
  for (const row of rows) {
    const ratio = row.ratio ? `${times(row.ratio.value)} ${row.ratio.to}` : '';
    const goal = row.ratio?.goal ? `≥ ${row.ratio.goal}× ${row.ratio.value >= row.ratio.goal ? '(met)' : '(not met)'}` : '';
    const failed = row.failed ? ` (${row.failed} failed)` : '';
    const cpu = row.cpuMicrosPerRequest ?? '';
    lines.push(`| ${row.target} | ${row.path} | ${row.requestsPerSecond}${failed} | ${ms(row.p50)} | ${ms(row.p99)} | ${cpu} | ${ratio} | ${goal} |`);
  }
  lines.push('', '| target | start-up ms | RSS after load MB | large-organization ACL computed, p50 / p99 ms |', '|---|---:|---:|---|');
  for (const [target, s] of Object.entries(servers)) {
    lines.push(`| ${target} | ${s.startupMs} | ${s.rssMb} | ${s.largeAclMs ? `${s.largeAclMs.p50.toFixed(2)} / ${s.largeAclMs.p99.toFixed(2)}` : ''} |`);
  }
  lines.push('', `Large organization: ${largeOrganization.members} members, ${largeOrganization.groups} groups, ${largeOrganization.projects} projects.`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/report.ts results.json');
  console.log(report(JSON.parse(readFileSync(file, 'utf8')) as Results));
}
