/** A result of a SQL statement. */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<T>>;
}

/**
 * The store behind the server. Both implementations speak PostgreSQL's dialect — PGlite embedded, or a
 * real server through DATABASE_URL — so one set of SQL and migrations serves both.
 */
export interface Database extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** True when the database answers a trivial query (for /readyz). */
  ping(): Promise<boolean>;
  /**
   * Calls `onNotify` with the payload of every NOTIFY on `channel`, from any process of the store, and
   * with null after a lost connection was re-established (notifications may have been missed). Returns
   * a function that stops listening. `close()` stops every listener.
   */
  listen(channel: string, onNotify: (payload: string | null) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
