/**
 * The transaction that the current async context runs in (AsyncLocalStorage), shared by
 * both drivers. `open` turns false when the transaction ends, so a promise that outlives it
 * (a fire-and-forget write begun inside) goes back to the pool instead of a dead client.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Queryable, QueryResult } from './db.ts';
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
  close(): Promise<void>;
}

/** A Db over a driver: queries join the context's transaction; errors are mapped once, here. */
export function contextualDb(driver: Driver): Db {
  const storage = new AsyncLocalStorage<Scope>();
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
      const failure = fromDriverError(error);
      if (failure instanceof DatabaseUnavailable) report(false, failure.reason);
      else report(true); // the database answered, with an error
      throw failure;
    }
  };
  return {
    driver: driver.driver,
    get inTransaction() {
      return storage.getStore()?.open === true;
    },
    query<Row>(sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
      return mapped(() => current().query<Row>(sql, params));
    },
    exec(sql: string) {
      return mapped(() => current().exec(sql));
    },
    transaction<T>(work: () => Promise<T>): Promise<T> {
      if (storage.getStore()?.open) return work();
      return mapped(() =>
        driver.begin(async (client) => {
          const scope: Scope = { client, open: true };
          try {
            return await storage.run(scope, work);
          } finally {
            scope.open = false;
          }
        }),
      );
    },
    close: () => driver.close(),
    watchAvailability(listener) {
      onChange = listener;
    },
  };
}
