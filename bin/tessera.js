#!/usr/bin/env node
// The installed command runs the compiled JavaScript in dist/ (built by `npm install`
// through the `prepare` script, or by `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tessera: dist/ is missing; run `npm run build` (npm install does it) first\n');
  process.exit(1);
}
await import(entry.href);
