import { createHash } from 'node:crypto';
import pg from 'pg';
import { contextualDb } from './context.ts';
import type { Db, Queryable, QueryOptions, QueryResult } from './db.ts';
import { DatabaseUnavailable, unavailableReason } from './errors.ts';
import { connectWithin, type StartupWait } from './startup.ts';

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
  /** How long the first connection is retried while the server cannot be reached (none by default). */
  startup?: StartupWait;
}

// Keep timestamps and big integers exact: counts come back as strings from SQL `count`,
// so stores cast them to int in SQL.
export async function openPostgres(connectionString: string, options: PostgresOptions = {}): Promise<Db> {
  const { poolSize = 10, connectTimeoutMs = 5000, statementTimeoutMs = 15_000 } = options;
  // Fail at start, not on the first request, when the server cannot be reached (after waiting
  // for it as long as the caller allows). Each attempt is a connection of its own, so that no
  // failed one is left in the pool's state.
  await connectWithin(connectionString, options.startup ?? { waitMs: 0 }, async () => {
    const probe = new pg.Client({ connectionString, connectionTimeoutMillis: connectTimeoutMs });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.query('SELECT 1');
    } finally {
      await probe.end().catch(() => undefined);
    }
  });
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
  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<Row>> {
      const result = await (options?.prepare ? client.query({ name: statementName(sql), text: sql, values: params }) : client.query(sql, params));
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
    listen: (channel, onMessage, onState) => listenOn({ connectionString, connectTimeoutMs }, channel, onMessage, onState),
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  });
}

/** Prepared statements are named after their text, so that two texts never share a name. */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `tessera_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Whether the session of `client` still listens on `channel`. The heartbeat asks this, not
 * just whether the connection answers: a connection pooler that hands out server sessions per
 * transaction (PgBouncer's transaction mode) or resets them (`DISCARD ALL`) leaves a
 * connection that answers but hears no notification, and the caches must then be bypassed.
 */
export async function stillListening(client: pg.Client, channel: string): Promise<boolean> {
  const result = await client.query<{ channel: string }>('SELECT pg_listening_channels() AS channel');
  return result.rows.some((row) => row.channel === channel);
}

/** How often the subscription's connection is checked, and how long an answer may take. */
const heartbeatMs = 400;

/**
 * A LISTEN on a connection of its own (pooled connections come and go). It is taken for lost
 * when the connection errs or ends, and when a heartbeat is not answered in time (a network
 * that dropped silently), so a loss is noticed within a second; then it reconnects.
 */
async function listenOn(
  options: { connectionString: string; connectTimeoutMs: number },
  channel: string,
  onMessage: (payload: string) => void,
  onState: (up: boolean) => void,
): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const lost = (lostClient: pg.Client) => {
    if (client !== lostClient) return;
    client = undefined;
    lostClient.end().catch(() => undefined);
    onState(false);
    if (!stopped) retry = setTimeout(connect, heartbeatMs).unref();
  };
  async function connect(): Promise<void> {
    const next = new pg.Client({
      connectionString: options.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs,
      keepAlive: true,
      application_name: 'tessera-change-feed',
    });
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    next.on('notification', (message) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (stopped) return void (await next.end());
      client = next;
      onState(true);
    } catch {
      next.end().catch(() => undefined);
      if (!stopped) retry = setTimeout(connect, heartbeatMs).unref();
    }
  }
  const heartbeat = setInterval(() => {
    const current = client;
    if (!current) return;
    let answered = false;
    stillListening(current, channel).then(
      (listening) => {
        if (listening) answered = true;
        else lost(current);
      },
      () => lost(current),
    );
    setTimeout(() => answered || lost(current), heartbeatMs).unref();
  }, heartbeatMs);
  heartbeat.unref();
  await connect();
  return async () => {
    stopped = true;
    clearInterval(heartbeat);
    clearTimeout(retry);
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
}
