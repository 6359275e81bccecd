/**
 * The database contract every store is written against. Two drivers implement it:
 * PGlite (PostgreSQL compiled to WASM, in-process) and `pg` (a PostgreSQL server).
 * The same SQL and the same migrations run on both.
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back when it throws.
   * Inside `work`, query through `tx` only: PGlite has a single connection, so a query on
   * the outer Db would wait for this transaction forever.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly driver: 'pglite' | 'postgres';
}
