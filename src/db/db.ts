/**
 * The database contract every store is written against. Two drivers implement it:
 * PGlite (PostgreSQL compiled to WASM, in-process) and `pg` (a PostgreSQL server).
 * The same SQL and the same migrations run on both.
 *
 * Transactions travel with the async context: every query made while `transaction(work)`
 * runs, through this Db, from any module, joins that transaction. A transaction begun
 * inside another joins the outer one. Stores therefore never need a transaction handle.
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * Prepares the statement once per connection and reuses its plan (on a PostgreSQL server;
   * PGlite plans in-process). For statements of a fixed text that run often (the hot path's
   * cache misses, the token endpoint's writes): parsing and planning are a good part of their
   * cost. Not for text built per call (filters, lists of values), whose every form would be
   * prepared and kept on every connection.
   */
  prepare?: boolean;
  /**
   * The statement writes a table whose triggers note changes (the change feed's tables). Outside
   * a transaction it then runs in one of its own, so that the writer learns at commit what it
   * changed, as inside one. The code that writes such a table says so; nothing reads the SQL.
   */
  notes?: boolean;
}

/** Constraint name → the caller-facing text of its violation (a duplicate, or a row still in use). */
export type ConstraintMeanings = Readonly<Record<string, string>>;

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /** Runs `work` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** Whether the current async context is inside a transaction of this Db. */
  readonly inTransaction: boolean;
  close(): Promise<void>;
  readonly driver: 'pglite' | 'postgres';
  /**
   * Calls `listener` when the database stops answering (a query failed as unavailable) and
   * when it answers again: one call per change, not per query, for the operator's log.
   */
  watchAvailability(listener: (available: boolean, reason?: string) => void): void;
  /**
   * Calls `listener` after each commit with the change tags the transaction noted (migration
   * 0006), before the caller's code goes on (QueryOptions.notes says which writes note them).
   * Returns the way to stop.
   */
  watchCommits(listener: (changes: string[]) => void): () => void;
  /**
   * What the named constraints mean to a caller, given by the module that owns their tables:
   * a unique or foreign-key violation of one becomes a conflict in these words instead of the
   * generic one. The database layer knows no module's words.
   */
  explainConstraints(meanings: ConstraintMeanings): void;
  /**
   * LISTENs on a channel (every instance's commits, this one's included). `onState` says when
   * the subscription is up and when it is lost (it is then re-established on its own); while
   * it is down, notifications are missed. Resolves to the way to stop.
   */
  listen(channel: string, onMessage: (payload: string) => void, onState: (up: boolean) => void): Promise<() => Promise<void>>;
  /** Connections: in the pool, idle, and requests waiting for one. */
  poolStats(): PoolStats;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}
