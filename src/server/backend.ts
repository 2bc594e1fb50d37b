/** What the server core needs from a database: parameterised SQL in transactions, and pokes. */
export interface SqlExecutor {
  query<R>(sql: string, params?: readonly unknown[]): Promise<readonly R[]>;
}

export interface SyncBackend {
  /** `pglite` (embedded) or `postgres` (shared by several server processes). */
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in one transaction. `read` transactions see one consistent snapshot; `write`
   * transactions are serialised by the core's lock on the version row.
   */
  transaction<T>(mode: 'read' | 'write', fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Tells every server process on this database that `version` was committed. */
  publish(version: number): Promise<void>;
  /** Hears every publish, from this process or (on PostgreSQL) any other. */
  onPublish(listener: (version: number) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
