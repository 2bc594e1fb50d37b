import type { SqlExecutor, SyncBackend } from './backend.js';

/**
 * Pushes to one space commit one after another under its row lock, each waiting on the disk (a WAL
 * flush) while it holds it: about 2 ms here, so one space tops out near 500 commits a second. The
 * pushes that queue in this process while one is in flight go together in the next transaction —
 * one lock, one flush — each inside a savepoint, so one refused (a 4xx) rolls back alone and the
 * others commit. A push that arrives to an idle space runs at once, alone: merging adds no delay.
 */
export class SpacePushQueue<Job, Result> {
  readonly #queues = new Map<string, { readonly job: Job; readonly resolve: (result: Result) => void; readonly reject: (error: unknown) => void }[]>();
  readonly #running = new Set<string>();
  readonly #run: (tx: SqlExecutor, jobs: readonly Job[]) => AsyncGenerator<Result | { readonly failed: unknown }, void, void>;
  readonly #maxBatch: number;

  /**
   * `run` does a batch's work in its transaction, yielding each job's result (or its failure) in
   * order; the queue wraps each job in a savepoint when the batch has more than one.
   */
  constructor(run: (tx: SqlExecutor, jobs: readonly Job[]) => AsyncGenerator<Result | { readonly failed: unknown }, void, void>, maxBatch = 64) {
    this.#run = run;
    this.#maxBatch = maxBatch;
  }

  push(space: string, backend: SyncBackend, job: Job): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.#queues.get(space) ?? [];
      queue.push({ job, resolve, reject });
      this.#queues.set(space, queue);
      if (!this.#running.has(space)) void this.#drain(space, backend);
    });
  }

  async #drain(space: string, backend: SyncBackend): Promise<void> {
    this.#running.add(space);
    try {
      for (;;) {
        const queue = this.#queues.get(space) ?? [];
        const batch = queue.splice(0, this.#maxBatch);
        if (queue.length === 0) this.#queues.delete(space);
        if (batch.length === 0) return;
        let results: (Result | { readonly failed: unknown })[];
        try {
          results = await backend.transaction('write', async (tx) => {
            const out: (Result | { readonly failed: unknown })[] = [];
            for await (const result of this.#run(tx, batch.map((entry) => entry.job))) out.push(result);
            return out;
          });
        } catch (error) {
          // The transaction itself failed (the database went away): nothing committed, each push hears it.
          for (const entry of batch) entry.reject(error);
          continue;
        }
        batch.forEach((entry, k) => {
          const result = results[k] as Result | { readonly failed: unknown };
          if (isFailure(result)) entry.reject(result.failed);
          else entry.resolve(result);
        });
      }
    } finally {
      this.#running.delete(space);
    }
  }
}

export function isFailure(value: unknown): value is { readonly failed: unknown } {
  return typeof value === 'object' && value !== null && 'failed' in value;
}

/**
 * Runs `work` inside a savepoint when `isolated` (one of several in a transaction): a failure rolls
 * back only what it did, and the transaction goes on. A failure to roll back (the connection broke)
 * fails the whole transaction.
 */
export async function inSavepoint<T>(tx: SqlExecutor, isolated: boolean, work: () => Promise<T>): Promise<T | { readonly failed: unknown }> {
  // Alone in its transaction, a push that fails fails the transaction: nothing of it commits.
  if (!isolated) return work();
  await tx.query('SAVEPOINT kalphite_push');
  try {
    const result = await work();
    await tx.query('RELEASE SAVEPOINT kalphite_push');
    return result;
  } catch (failed) {
    await tx.query('ROLLBACK TO SAVEPOINT kalphite_push');
    return { failed };
  }
}
