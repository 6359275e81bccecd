import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export type { Db, Queryable } from './db.ts';

/** Opens PostgreSQL when a URL is given, otherwise PGlite persisted under the data directory. */
export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  dbPoolSize?: number;
  dbConnectTimeout?: number;
  dbStatementTimeout?: number;
  embeddedSharedBuffers?: string;
}): Promise<Db> {
  if (options.databaseUrl) {
    return openPostgres(options.databaseUrl, {
      poolSize: options.dbPoolSize,
      connectTimeoutMs: options.dbConnectTimeout && options.dbConnectTimeout * 1000,
      statementTimeoutMs: options.dbStatementTimeout && options.dbStatementTimeout * 1000,
    });
  }
  const dir = join(options.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return openPglite({ dataDir: dir, sharedBuffers: options.embeddedSharedBuffers });
}

/** Whether the database answers (readiness). */
export async function isReady(db: Db): Promise<boolean> {
  return db.query('SELECT 1').then(
    () => true,
    () => false,
  );
}
