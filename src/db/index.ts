import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { StartupWait } from './startup.ts';

export { DataDirInUse, type DataDirLock, type LockHolder } from './data-dir-lock.ts';
export type { Db, Queryable } from './db.ts';
export { DatabaseUnreachable, type StartupWait } from './startup.ts';

/**
 * Opens PostgreSQL when a URL is given, otherwise PGlite persisted under the data directory,
 * whose lock this process then holds until the Db is closed (`as` says what holds it, for the
 * message a second process gets).
 */
export async function openDatabase(
  options: {
    databaseUrl?: string;
    dataDir: string;
    dbPoolSize?: number;
    dbConnectTimeout?: number;
    dbStatementTimeout?: number;
    embeddedSharedBuffers?: string;
    /** PostgreSQL: how long to wait for the server at start. */
    startup?: StartupWait;
  },
  as: string,
): Promise<Db & { dataDirLock?: DataDirLock }> {
  if (options.databaseUrl) {
    return openPostgres(options.databaseUrl, {
      poolSize: options.dbPoolSize,
      connectTimeoutMs: options.dbConnectTimeout && options.dbConnectTimeout * 1000,
      statementTimeoutMs: options.dbStatementTimeout && options.dbStatementTimeout * 1000,
      startup: options.startup,
    });
  }
  const dir = join(options.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(options.dataDir, as);
  try {
    const db = await openPglite({ dataDir: dir, sharedBuffers: options.embeddedSharedBuffers, onClose: () => lock.release() });
    return Object.assign(db, { dataDirLock: lock });
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Whether the database answers (readiness). */
export async function isReady(db: Db): Promise<boolean> {
  return db.query('SELECT 1').then(
    () => true,
    () => false,
  );
}
