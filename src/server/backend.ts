/** What the server core needs from a database: parameterised SQL in transactions, and pokes. */
export interface SqlExecutor {
  query<R>(sql: string, params?: readonly unknown[]): Promise<readonly R[]>;
}

export interface SyncBackend {
  /**
   * Runs `fn` in one transaction. `read` transactions see one consistent snapshot; `write`
   * transactions of one space are serialised by the core's lock on that space's row. Rejects with a
   * `BackendUnavailableError` when the database cannot be reached or drops the connection: nothing
   * is known to have committed, and the request can be retried.
   */
  transaction<T>(mode: 'read' | 'write', fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Tells every server process on this database that `space` committed `version`. */
  publish(space: string, version: number): Promise<void>;
  /**
   * Hears every publish, from this process or (on PostgreSQL) any other. `onGap` runs when
   * publishes may have been missed (the channel that carries them was lost and is back): a listener
   * should then treat the gap as a poke of every space. Rejects with a `BackendUnavailableError`
   * when the channel cannot be opened now.
   */
  onPublish(listener: (space: string, version: number) => void, onGap?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * The database is unreachable or dropped the connection: a fault of the moment, not of the request.
 * The handler answers it 503 (retry later) and reports it; the plain message names what failed.
 */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  readonly code = 'database-unavailable';
  /**
   * Whether the database had answered before the connection was lost (a restart, a terminated
   * backend), as opposed to never being reached (a wrong host or port, nothing listening).
   */
  readonly reached: boolean;

  constructor(message: string, options: { readonly cause?: unknown; readonly reached?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.reached = options.reached ?? true;
  }
}
