/** The installed `tessera` command run as a child process, as production runs it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

// The installed command, as production runs it: compiled JavaScript, no TypeScript loader
// (`npm test` builds dist/ first). Only the runner's V8 tuning is passed on (short-lived
// processes gain from not optimizing the embedded database's WASM).
export const cli = [...process.execArgv.filter((flag) => flag === '--liftoff-only'), 'bin/tessera.js'];

export interface Running {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** The Node.js flags `npm start` runs the server with (package.json's `start` script). */
export function startFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(' ');
  return words.slice(words.indexOf('node') + 1, words.indexOf('bin/tessera.js'));
}

/** `asNpmStart`: with the Node.js flags of `npm start` (without the build it does first). */
export function serve(env: Record<string, string>, { asNpmStart = false } = {}): Promise<Running> {
  const child = spawn(process.execPath, [...(asNpmStart ? startFlags() : []), ...cli, 'serve', '--host', '127.0.0.1', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        child.stdout.off('data', onData);
        child.stdout.on('data', (more: Buffer) => (output += more.toString()));
        resolve({
          url: match[1],
          child,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`tessera exited with ${code}: ${output}`)));
  });
}
