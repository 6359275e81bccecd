/** The installed `tessera` command run as a child process, as production runs it. */
import { type ChildProcess, spawn } from 'node:child_process';

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

/** `installed`: run bin/tessera.js itself, so that its `#!` line (and the Node.js flags there) applies. */
export function serve(env: Record<string, string>, { installed = false } = {}): Promise<Running> {
  const args = ['serve', '--host', '127.0.0.1', '--port', '0'];
  const child = spawn(installed ? 'bin/tessera.js' : process.execPath, installed ? args : [...cli, ...args], {
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
