/**
 * `npm test` runs the suites in a few processes ("shards") instead of one process per file:
 * a process's start (Node, the TypeScript loader, the app's import graph, the database's
 * WASM) is paid once per shard rather than once per file. Each file of test/shards/ imports
 * its share of test/*.test.ts, heaviest first, dealt round-robin; `node --test` runs the
 * shards two at a time. Any single file still runs on its own: `node --import tsx --test test/x.test.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = new URL('../', import.meta.url);
const shardDir = new URL('../shards/', import.meta.url);

export async function runShard(shardUrl: string): Promise<void> {
  const shards = readdirSync(shardDir)
    .filter((f) => /^\d+\.ts$/.test(f))
    .sort();
  const index = shards.indexOf(basename(fileURLToPath(shardUrl)));
  const files = readdirSync(testDir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => ({ f, size: readFileSync(new URL(f, testDir)).length }))
    .sort((a, b) => b.size - a.size || a.f.localeCompare(b.f))
    .filter((_, i) => i % shards.length === index);
  for (const { f } of files) await import(new URL(f, testDir).href);
}
