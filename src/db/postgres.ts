import pg from 'pg';
import { contextualDb } from './context.ts';
import type { Db, Queryable, QueryResult } from './db.ts';
import { DatabaseUnavailable, unavailableReason } from './errors.ts';

export interface PostgresOptions {
  /** Connections in the pool. */
  poolSize?: number;
  /** How long to wait for a connection (TCP connect, or a free one from the pool), in ms. */
  connectTimeoutMs?: number;
  /**
   * The longest a statement may run, in ms: the server cancels it (statement_timeout), and
   * the client gives up a little later if the server does not answer at all (a dead network).
   * Transactions left idle that long are ended by the server too.
   */
  statementTimeoutMs?: number;
}

// Keep timestamps and big integers exact: counts come back as strings from SQL `count`,
// so stores cast them to int in SQL.
export async function openPostgres(connectionString: string, options: PostgresOptions = {}): Promise<Db> {
  const { poolSize = 10, connectTimeoutMs = 5000, statementTimeoutMs = 15_000 } = options;
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    keepAlive: true,
  });
  // A connection the server closed (restart, failover, administrator) emits `error`: on an
  // idle one through the pool, on a checked-out one (inside a transaction) on the client
  // itself. Without listeners either would crash the process; the query in flight fails on
  // its own, and the broken client is discarded when it is released.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  // Fail at start, not on the first request, when the server cannot be reached.
  await pool.query('SELECT 1');
  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
  return contextualDb({
    driver: 'postgres',
    root: run(pool),
    async begin(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(run(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that failed is not returned to the pool: release(error) destroys it.
        if (error instanceof DatabaseUnavailable || unavailableReason(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  });
}
