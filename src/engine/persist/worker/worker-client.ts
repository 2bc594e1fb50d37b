import type { QueryOptions, Results, Transaction } from '@electric-sql/pglite';
import { PGliteWorker } from '@electric-sql/pglite/worker';
import { KalphiteError } from '../../errors.js';
import { isFromLocalDbWorker, type DirectQuery } from './messages.js';

/** A text parameter this long (a flush batch) goes to the worker directly. */
const DIRECT_CHARS = 64 * 1024;

/** The part of the Web Locks API the watchdog uses (injected in tests; absent where there is none). */
export interface LockRequester {
  request(name: string, callback: () => void): Promise<unknown>;
}

export interface LocalDbWorkerClientOptions {
  /** Where the worker's election lock is watched; absent: `navigator.locks`, where it exists. */
  readonly locks?: LockRequester | null;
}

/**
 * The page's side of the local db's worker: PGliteWorker, but a query with a large text parameter
 * (or one the local db asks to be direct) is posted to the worker itself (one structured clone,
 * then executed there), not encoded into a wire message here and sent through a BroadcastChannel,
 * which cost the page's main thread more than everything else in a flush.
 *
 * Once `watch`ed, it notices the worker's death: PGliteWorker's own calls would wait forever for a
 * worker that is gone. Then every pending and later query rejects with `db-failed`.
 */
export class LocalDbWorkerClient extends PGliteWorker {
  readonly #worker: Worker;
  readonly #lock: string;
  readonly #locks: LockRequester | null;
  readonly #answers = new Map<number, { resolve: (result: Results<unknown>) => void; reject: (error: Error) => void }>();
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
      if (!isFromLocalDbWorker(data) || (data.type !== 'kalphite:rows' && data.type !== 'kalphite:query-failed')) return;
      const answer = this.#answers.get(data.id);
      this.#answers.delete(data.id);
      if (data.type === 'kalphite:rows') answer?.resolve({ rows: data.rows, fields: [], ...(data.affectedRows !== undefined && { affectedRows: data.affectedRows }) });
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
    const large = params?.some((param) => typeof param === 'string' && param.length >= DIRECT_CHARS) ?? false;
    if (!large || options !== undefined || this.closed) return this.#guarded(() => super.query<T>(query, params, options));
    return this.queryDirect<T>(query, params ?? []);
  }

  /** A query posted to the worker itself: its rows come back as one structured clone, not through PGliteWorker's wire encoding. */
  queryDirect<T>(query: string, params: readonly unknown[]): Promise<Results<T>> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = ++this.#next;
    const message: DirectQuery = { type: 'kalphite:query', id, sql: query, params };
    return new Promise<Results<T>>((resolve, reject) => {
      this.#answers.set(id, { resolve: resolve as (result: Results<unknown>) => void, reject });
      this.#worker.postMessage(message);
    });
  }

  override exec(query: string, options?: QueryOptions): Promise<Results[]> {
    return this.#guarded(() => super.exec(query, options));
  }

  override transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#guarded(() => super.transaction(callback));
  }

  override async close(): Promise<void> {
    for (const answer of this.#answers.values()) answer.reject(new KalphiteError('closed', 'The local db closed before answering.'));
    this.#answers.clear();
    await super.close();
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

/** What an `error` event from a worker says, if anything (Node has no ErrorEvent, and a module script that fails to load fires a plain Event). */
export const workerErrorMessage = (event: Event): string | null => {
  const message = (event as { message?: unknown }).message;
  return typeof message === 'string' && message !== '' ? message : null;
};
