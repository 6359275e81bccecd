/**
 * One process per embedded database. PGlite is PostgreSQL in this process's memory, writing
 * its files itself: a second process on the same directory would not see the first's writes
 * (a key rotated there is gone at the next start) and the two would corrupt the files. So the
 * process that opens the directory holds a lock, and a second one is refused, told who holds
 * it and what to do instead.
 *
 * The lock is a listening socket the kernel takes back when its process dies, however it dies,
 * so there is no stale lock to clean up: on Linux an abstract Unix socket (no file), on Windows
 * a named pipe. Elsewhere (macOS) it is a socket file in the temporary directory; one left by a
 * crash refuses connections, and is replaced. Whoever connects reads the holder's PID, command
 * and API address (nothing secret): what `tessera keys rotate` needs to ask a running server.
 */
import { createHash } from 'node:crypto';
import { realpathSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  /** What the holder runs (`tessera serve`). */
  command: string;
  /** Where the holder serves the API, once it does. */
  url?: string;
}

export class DataDirInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `the embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.command}${holder.url ? `, serving ${holder.url}` : ''})`
        : `the embedded database in ${dataDir} is in use by another process`,
    );
  }
}

export interface DataDirLock {
  /** Tells later comers more about the holder (its API address, once it listens). */
  describe(more: Partial<LockHolder>): void;
  release(): Promise<void>;
}

/** The lock's address: derived from the directory's real path, so every spelling of it meets. */
function lockAddress(dataDir: string): { path: string; file: boolean } {
  const id = createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 32);
  if (process.platform === 'linux') return { path: `\0tessera-data-dir-${id}`, file: false };
  if (process.platform === 'win32') return { path: `\\\\.\\pipe\\tessera-data-dir-${id}`, file: false };
  return { path: join(tmpdir(), `tessera-${id}.sock`), file: true };
}

/** Takes the directory's lock, or throws DataDirInUse naming the holder. */
export async function lockDataDir(dataDir: string, command: string): Promise<DataDirLock> {
  const address = lockAddress(dataDir);
  let holder: LockHolder = { pid: process.pid, command };
  const server = createServer((socket) => socket.end(JSON.stringify(holder)));
  server.unref(); // the lock never keeps the process alive by itself
  try {
    await listen(server, address.path);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    const found = await whoHolds(address.path);
    if (found !== 'nobody' || !address.file) throw new DataDirInUse(dataDir, found === 'nobody' ? undefined : found);
    unlinkSync(address.path); // a socket file left by a process that crashed
    await listen(server, address.path).catch(async () => {
      const again = await whoHolds(address.path);
      throw new DataDirInUse(dataDir, again === 'nobody' ? undefined : again);
    });
  }
  return {
    describe(more) {
      holder = { ...holder, ...more };
    },
    release: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Who holds a lock: its holder, `nobody` (nothing listens), or undefined when it does not say. */
function whoHolds(path: string): Promise<LockHolder | 'nobody' | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let text = '';
    socket.setEncoding('utf8');
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'nobody' : undefined));
    socket.on('close', () => {
      try {
        resolve(JSON.parse(text) as LockHolder);
      } catch {
        resolve(undefined);
      }
    });
  });
}
