#!/usr/bin/env -S node --max-semi-space-size=8
// The installed command runs the compiled JavaScript in dist/ (built by `npm install`
// through the `prepare` script, or by `npm run build`).
// --max-semi-space-size=8 bounds each of V8's two young-generation semi-spaces to 8 MB (Node.js
// 20 lets them grow to 16 MB under load and keeps them): about 35 MB less resident memory, at
// the same request rates (docs/operations.md). `node bin/tessera.js` runs without it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tessera: dist/ is missing; run `npm run build` (npm install does it) first\n');
  process.exit(1);
}
await import(entry.href);
