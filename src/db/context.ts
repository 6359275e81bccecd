/**
 * The transaction that the current async context runs in (AsyncLocalStorage), shared by
 * both drivers. `open` turns false when the transaction ends, so a promise that outlives it
 * (a fire-and-forget write begun inside) goes back to the pool instead of a dead client.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, PoolStats, Queryable, QueryOptions, QueryResult } from './db.ts';
import { DatabaseUnavailable, fromDriverError } from './errors.ts';

interface Scope {
  client: Queryable;
  open: boolean;
}

export interface Driver {
  driver: Db['driver'];
  root: Queryable;
  /** Begins a transaction on its own connection, runs `work` with it, commits or rolls back. */
  begin<T>(work: (client: Queryable) => Promise<T>): Promise<T>;
  listen: Db['listen'];
  stats(): PoolStats;
  close(): Promise<void>;
}

/** What the change triggers (migrations 0006 and 0007) noted in this transaction. */
const changesOfTransaction = "SELECT current_setting('tessera.changes', true) AS changes";

/** A Db over a driver: queries join the context's transaction; errors are mapped once, here. */
export function contextualDb(driver: Driver): Db {
  const storage = new AsyncLocalStorage<Scope>();
  // While a transaction runs, Node's promise hooks carry its scope to every promise made in it.
  // Those hooks cost every promise of the process something, so they are turned off while no
  // transaction is open (the read paths run none): `run` turns them on again.
  let openScopes = 0;
  const current = (): Queryable => {
    const scope = storage.getStore();
    return scope?.open ? scope.client : driver.root;
  };
  let available = true;
  let onChange: ((available: boolean, reason?: string) => void) | undefined;
  const report = (now: boolean, reason?: string) => {
    if (now === available) return;
    available = now;
    onChange?.(now, reason);
  };
  const mapped = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      const result = await run();
      report(true);
      return result;
    } catch (error) {
      const failure = fromDriverError(error, meanings);
      if (failure instanceof DatabaseUnavailable) report(false, failure.reason);
      else report(true); // the database answered, with an error
      throw failure;
    }
  };
  const committedListeners = new Set<(changes: string[]) => void>();
  const meanings: Record<string, string> = {};
  const db: Db = {
    driver: driver.driver,
    get inTransaction() {
      return storage.getStore()?.open === true;
    },
    query<Row>(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<Row>> {
      // A write that notes changes, outside a transaction, gets one of its own (QueryOptions.notes).
      if (options?.notes && committedListeners.size && !storage.getStore()?.open) return db.transaction(() => db.query<Row>(sql, params, options));
      return mapped(() => current().query<Row>(sql, params, options));
    },
    exec(sql: string) {
      return mapped(() => current().exec(sql));
    },
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      if (storage.getStore()?.open) return work();
      let changes: string[] = [];
      const result = await mapped(() =>
        driver.begin(async (client) => {
          const scope: Scope = { client, open: true };
          openScopes++;
          try {
            const done = await storage.run(scope, work);
            if (committedListeners.size) {
              const noted = await client.query<{ changes: string | null }>(changesOfTransaction, undefined, { prepare: true });
              changes = noted.rows[0]?.changes?.split(' ').filter(Boolean) ?? [];
            }
            return done;
          } finally {
            scope.open = false;
            if (--openScopes === 0) storage.disable();
          }
        }),
      );
      if (changes.length) for (const listener of committedListeners) listener(changes);
      return result;
    },
    close: () => driver.close(),
    watchAvailability(listener) {
      onChange = listener;
    },
    explainConstraints(given) {
      Object.assign(meanings, given);
    },
    watchCommits(listener) {
      committedListeners.add(listener);
      return () => committedListeners.delete(listener);
    },
    listen: (channel, onMessage, onState) => driver.listen(channel, onMessage, onState),
    poolStats: () => driver.stats(),
  };
  return db;
}
