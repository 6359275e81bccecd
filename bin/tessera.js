#!/usr/bin/env node
// The installed command runs the compiled JavaScript in dist/ (built by `npm install`
// through the `prepare` script, or by `npm run build`).
// `npm start` runs it with two V8 flags that keep resident memory about 50 MB lower under load at
// the same request rates (docs/operations.md): --max-semi-space-size=8 bounds the young
// generation, --heap-growing-percent=50 how far the old one grows between full collections.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tessera: dist/ is missing; run `npm run build` (npm install does it) first\n');
  process.exit(1);
}
await import(entry.href);
