#!/usr/bin/env node
// The installed command runs the compiled JavaScript in dist/ (built by `npm install`
// through the `prepare` script, or by `npm run build`).
// `npm start` runs it with --max-semi-space-size=8, which bounds each of V8's two young-generation
// semi-spaces to 8 MB (Node.js 20 lets them grow to 16 MB under load and keeps them): about 35 MB
// less resident memory at the same request rates. Run directly, it takes the flag from
// NODE_OPTIONS (docs/operations.md).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('tessera: dist/ is missing; run `npm run build` (npm install does it) first\n');
  process.exit(1);
}
await import(entry.href);
