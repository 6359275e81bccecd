import { PGlite } from '@electric-sql/pglite';
import { contextualDb } from './context.ts';
import type { Db, Queryable, QueryResult } from './db.ts';

export interface PgliteOptions {
  /** Where the database persists; undefined keeps it in memory (tests). */
  dataDir?: string;
  /** A data-directory dump (`dumpDataDir`) to start from instead of an empty cluster. */
  loadDataDir?: Blob | File;
  /**
   * PostgreSQL's shared_buffers (e.g. "32MB"). The buffer pool lives in the WASM heap, so it
   * is most of the process's memory beyond Node itself; PGlite's default is PostgreSQL's 128MB.
   */
  sharedBuffers?: string;
  /** Run after the database is closed (the data directory's lock is released). */
  onClose?: () => Promise<void>;
}

/** The embedded driver. */
export async function openPglite(options: PgliteOptions = {}): Promise<Db & { pglite: PGlite }> {
  const pg = await PGlite.create(options.dataDir, {
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    ...(options.sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`] } : {}),
  });
  return pgliteDb(pg, options.onClose);
}

export function pgliteDb(pg: PGlite, onClose?: () => Promise<void>): Db & { pglite: PGlite } {
  // One connection: what is in flight beyond one statement waits for it (pool usage metrics).
  let inFlight = 0;
  const counted = async <T>(run: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await run();
    } finally {
      inFlight--;
    }
  };
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
      const result = await counted(() => q.query<Row>(sql, params as unknown[]));
      // PGlite reports affectedRows only for INSERT/UPDATE/DELETE; a SELECT counts its rows.
      return { rows: result.rows, rowCount: result.rows.length || (result.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await counted(() => q.exec(sql));
    },
  });
  const db = contextualDb({
    driver: 'pglite',
    root: wrap(pg),
    // PGlite has one connection; its transaction mutex serializes transactions, which gives
    // the same isolation as row locks on a server.
    begin: (work) => pg.transaction((tx) => work(wrap(tx))),
    // In-process: notifications arrive with the result of the statement that committed them,
    // and the subscription cannot be lost.
    async listen(channel, onMessage, onState) {
      const stop = await pg.listen(channel, onMessage);
      onState(true);
      return stop;
    },
    stats: () => ({ total: 1, idle: inFlight ? 0 : 1, waiting: Math.max(0, inFlight - 1) }),
    close: async () => {
      await pg.close();
      await onClose?.();
    },
  });
  return Object.assign(db, { pglite: pg });
}
