import pg from 'pg';
import { contextualDb } from './context.ts';
import type { Db, Queryable, QueryResult } from './db.ts';

// Keep timestamps and big integers exact: counts come back as strings from SQL `count`,
// so stores cast them to int in SQL.
export async function openPostgres(connectionString: string, max = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max });
  // An idle connection that the server closed (restart, failover, administrator) is replaced
  // on next use; without a listener its error event would crash the process.
  pool.on('error', () => undefined);
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
      try {
        await client.query('BEGIN');
        const result = await work(run(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  });
}
