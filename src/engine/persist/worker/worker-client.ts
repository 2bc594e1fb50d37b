import type { QueryOptions, Results, Transaction } from '@electric-sql/pglite';
import { query as templateQuery } from '@electric-sql/pglite/template';
import { PGliteWorker } from '@electric-sql/pglite/worker';
import { KalphiteError } from '../../errors.js';
import { isFromLocalDbWorker, type DirectResult, type ToLocalDbWorker } from './messages.js';

/** A direct message without its id, which the client assigns. */
type Unnumbered<M> = M extends { readonly id: number } ? Omit<M, 'id'> : never;

/** The part of the Web Locks API the watchdog uses (injected in tests; absent where there is none). */
export interface LockRequester {
  request(name: string, callback: () => void): Promise<unknown>;
}

export interface LocalDbWorkerClientOptions {
  /** Where the worker's election lock is watched; absent: `navigator.locks`, where it exists. */
  readonly locks?: LockRequester | null;
}

/**
 * The page's side of the local db's worker: PGliteWorker opens it, but every query, script and
 * transaction is posted to the worker itself (`messages.ts`: one structured clone each way, run
 * there as one PGlite call), not encoded here into PGliteWorker's protocol messages and calls, each
 * a BroadcastChannel round trip; a flush batch's large text then costs one copy. Queries with
 * `QueryOptions` (parsers, serializers: functions, which do not cross) go through PGliteWorker.
 *
 * Once `watch`ed, it notices the worker's death: PGliteWorker's own calls would wait forever for a
 * worker that is gone. Then every pending and later query rejects with `db-failed`.
 */
export class LocalDbWorkerClient extends PGliteWorker {
  readonly #worker: Worker;
  readonly #lock: string;
  readonly #locks: LockRequester | null;
  readonly #answers = new Map<number, { resolve: (results: readonly DirectResult[]) => void; reject: (error: Error) => void }>();
  /** Rejects each pending PGliteWorker call when the worker dies. */
  readonly #waiting = new Set<(error: KalphiteError) => void>();
  #dead: KalphiteError | null = null;
  #next = 0;

  constructor(worker: Worker, dataDir: string, options: LocalDbWorkerClientOptions = {}) {
    // An id of our own: the worker holds `pglite-election-lock:<id>` while it lives, and the watchdog waits for that lock.
    const id = `kalphite-local-db:${dataDir}`;
    super(worker, { dataDir, id });
    this.#worker = worker;
    this.#lock = `pglite-election-lock:${id}`;
    this.#locks = options.locks !== undefined ? options.locks : (globalThis.navigator?.locks ?? null);
    worker.addEventListener('message', ({ data }: MessageEvent) => {
      if (!isFromLocalDbWorker(data) || (data.type !== 'kalphite:rows' && data.type !== 'kalphite:done' && data.type !== 'kalphite:query-failed')) return;
      const answer = this.#answers.get(data.id);
      this.#answers.delete(data.id);
      if (data.type === 'kalphite:rows') answer?.resolve([{ rows: data.rows, affectedRows: data.affectedRows }]);
      else if (data.type === 'kalphite:done') answer?.resolve(data.results);
      else answer?.reject(new KalphiteError('db-failed', data.message));
    });
  }

  /**
   * Watches the opened worker: an error it does not catch (PGlite's wasm aborting, out of memory)
   * or the release of its election lock (the browser ended it) is its death, told to `died` once;
   * the worker is stopped. No timeout: a large honest query blocks the worker's thread as long as a
   * hung one, so none could tell them apart.
   */
  watch(died: (error: KalphiteError) => void): void {
    const die = (reason: string) => {
      if (this.#dead || this.closed) return;
      const error = new KalphiteError('db-failed', `The local db's worker stopped (${reason}); the database needs to be opened again.`);
      this.#dead = error;
      for (const reject of this.#waiting) reject(error);
      this.#waiting.clear();
      for (const answer of this.#answers.values()) answer.reject(error);
      this.#answers.clear();
      this.#worker.terminate();
      died(error);
    };
    this.#worker.addEventListener('error', (event) => die(workerErrorMessage(event) ?? 'an error it did not catch'));
    // Granted only once the worker no longer holds it; released again at once (the callback returns).
    void this.#locks?.request(this.#lock, () => die('it was ended')).catch(() => {});
  }

  override query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    if (options !== undefined || this.closed) return this.#guarded(() => super.query<T>(query, params, options));
    return this.queryDirect<T>(query, params ?? []);
  }

  /** A query posted to the worker itself: its rows come back as one structured clone, not through PGliteWorker's wire encoding. */
  async queryDirect<T>(query: string, params: readonly unknown[], tx?: number): Promise<Results<T>> {
    const [result] = await this.#post({ type: 'kalphite:query', sql: query, params, ...(tx !== undefined && { tx }) });
    return toResults<T>(result);
  }

  override async exec(query: string, options?: QueryOptions): Promise<Results[]> {
    if (options !== undefined || this.closed) return this.#guarded(() => super.exec(query, options));
    return (await this.#post({ type: 'kalphite:exec', sql: query })).map((result) => toResults(result));
  }

  /** A transaction held open in the worker while `callback` runs here; committed there in one step when it returns, rolled back when it throws. */
  override async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.closed) return this.#guarded(() => super.transaction(callback));
    const id = await this.#begin();
    let closed = false;
    const open = () => {
      if (closed) throw new KalphiteError('db-failed', 'The transaction is closed.');
    };
    const end = async (commit: boolean) => {
      closed = true;
      await this.#post({ type: 'kalphite:end', tx: id, commit });
    };
    const tx: Transaction = {
      query: async <R>(sql: string, params?: unknown[]) => (open(), this.queryDirect<R>(sql, params ?? [], id)),
      sql: async <R>(strings: TemplateStringsArray, ...values: unknown[]) => {
        open();
        const { query, params } = templateQuery(strings, ...values);
        return this.queryDirect<R>(query, params, id);
      },
      exec: async (sql: string) => (open(), (await this.#post({ type: 'kalphite:exec', sql, tx: id })).map((result) => toResults(result))),
      rollback: async () => (open(), end(false)),
      listen: () => Promise.reject(new KalphiteError('db-failed', 'LISTEN inside a transaction is not served by the local db\'s worker.')),
      get closed() {
        return closed;
      },
    };
    let value: T;
    try {
      value = await callback(tx);
    } catch (error) {
      if (!closed) await end(false).catch(() => {});
      throw error;
    }
    if (!closed) await end(true);
    return value;
  }

  #begin(): Promise<number> {
    const id = ++this.#next;
    return this.#send(id, { type: 'kalphite:begin', id }).then(() => id);
  }

  #post(message: Unnumbered<ToLocalDbWorker>): Promise<readonly DirectResult[]> {
    const id = ++this.#next;
    return this.#send(id, { ...message, id } as ToLocalDbWorker);
  }

  #send(id: number, message: ToLocalDbWorker): Promise<readonly DirectResult[]> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      this.#answers.set(id, { resolve, reject });
      this.#worker.postMessage(message);
    });
  }

  /**
   * Shuts PostgreSQL down in the worker (its last changes synced, its control file marked shut
   * down, so the next open replays no WAL), then ends the worker. Rejects with `db-failed` when the
   * worker could not close it; the worker is ended all the same.
   */
  override async close(): Promise<void> {
    if (this.closed) return;
    let failed: unknown = null;
    if (!this.#dead) await this.#post({ type: 'kalphite:close' }).catch((error: unknown) => (failed = error));
    for (const answer of this.#answers.values()) answer.reject(new KalphiteError('closed', 'The local db closed before answering.'));
    this.#answers.clear();
    await super.close();
    if (failed !== null) throw failed;
  }

  /** `run`'s result, or the worker's death if it comes first (or came before). */
  #guarded<T>(run: () => Promise<T>): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<T>((resolve, reject) => {
      const onDeath = (error: KalphiteError) => reject(error);
      this.#waiting.add(onDeath);
      run().then(
        (value) => {
          this.#waiting.delete(onDeath);
          resolve(value);
        },
        (error: unknown) => {
          this.#waiting.delete(onDeath);
          reject(error);
        },
      );
    });
  }
}

const toResults = <T>(result: DirectResult | undefined): Results<T> => ({
  rows: (result?.rows ?? []) as T[],
  fields: [],
  ...(result?.affectedRows !== undefined && { affectedRows: result.affectedRows }),
});

/** What an `error` event from a worker says, if anything (Node has no ErrorEvent, and a module script that fails to load fires a plain Event). */
export const workerErrorMessage = (event: Event): string | null => {
  const message = (event as { message?: unknown }).message;
  return typeof message === 'string' && message !== '' ? message : null;
};
