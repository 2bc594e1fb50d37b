import type { QueryOptions, Results } from '@electric-sql/pglite';
import { PGliteWorker } from '@electric-sql/pglite/worker';
import { KalphiteError } from '../../errors.js';
import { isFromLocalDbWorker, type DirectQuery } from './messages.js';

/** A text parameter this long (a flush batch) goes to the worker directly. */
const DIRECT_CHARS = 64 * 1024;

/**
 * The page's side of the local db's worker: PGliteWorker, but a query with a large text parameter
 * is posted to the worker itself (one structured clone of the string, then executed there), not
 * encoded into a wire message here and sent through a BroadcastChannel, which cost the page's main
 * thread more than everything else in a flush.
 */
export class LocalDbWorkerClient extends PGliteWorker {
  readonly #worker: Worker;
  readonly #answers = new Map<number, { resolve: (result: Results<unknown>) => void; reject: (error: Error) => void }>();
  #next = 0;

  constructor(worker: Worker, dataDir: string) {
    super(worker, { dataDir });
    this.#worker = worker;
    worker.addEventListener('message', ({ data }: MessageEvent) => {
      if (!isFromLocalDbWorker(data) || (data.type !== 'kalphite:rows' && data.type !== 'kalphite:query-failed')) return;
      const answer = this.#answers.get(data.id);
      this.#answers.delete(data.id);
      if (data.type === 'kalphite:rows') answer?.resolve({ rows: data.rows, fields: [], ...(data.affectedRows !== undefined && { affectedRows: data.affectedRows }) });
      else answer?.reject(new KalphiteError('db-failed', data.message));
    });
  }

  override query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    const large = params?.some((param) => typeof param === 'string' && param.length >= DIRECT_CHARS) ?? false;
    if (!large || options !== undefined || this.closed) return super.query<T>(query, params, options);
    const id = ++this.#next;
    const message: DirectQuery = { type: 'kalphite:query', id, sql: query, params: params ?? [] };
    return new Promise<Results<T>>((resolve, reject) => {
      this.#answers.set(id, { resolve: resolve as (result: Results<unknown>) => void, reject });
      this.#worker.postMessage(message);
    });
  }

  override async close(): Promise<void> {
    for (const answer of this.#answers.values()) answer.reject(new KalphiteError('closed', 'The local db closed before answering.'));
    this.#answers.clear();
    await super.close();
  }
}
