/** SQL of rate-limit counters (table rate_limit_counters), for installations without Redis. */
import type { Queryable } from '../../db/db.ts';

/** Adds a batch of hits to a budget's window; the window's total across every instance. */
export async function addHits(db: Queryable, budget: string, windowStart: Date, hits: number): Promise<number> {
  const result = await db.query<{ count: string }>(
    `INSERT INTO rate_limit_counters (budget, window_start, count) VALUES ($1, $2, $3)
     ON CONFLICT (budget, window_start) DO UPDATE SET count = rate_limit_counters.count + $3
     RETURNING count`,
    [budget, windowStart, hits],
  );
  return Number(result.rows[0]!.count);
}

export async function purgeBefore(db: Queryable, before: Date): Promise<number> {
  return (await db.query('DELETE FROM rate_limit_counters WHERE window_start < $1', [before])).rowCount;
}
