import { KalphiteError } from '../errors.js';
import type { FlushOp } from '../persist/local-db.js';

/** Where a numbered batch goes: the local db (this tab leads) or the leader tab. */
export type BatchTarget = (ops: readonly FlushOp[], batch: number) => void;

interface Unacked {
  readonly ops: readonly FlushOp[];
  readonly resolve: (mutationIds: readonly number[]) => void;
  readonly reject: (error: KalphiteError) => void;
}

/**
 * The flusher's view of the local db when tabs share it: each batch gets this tab's next number
 * and waits for the leader's answer. Unanswered batches are sent again when a new leader takes
 * over; the local db writes a batch number once, so nothing is lost or written twice.
 */
export class BatchQueue {
  #next = 0;
  readonly #unacked = new Map<number, Unacked>();
  #target: BatchTarget | null = null;
  #abandoned: string | null = null;

  writeBatch = (ops: readonly FlushOp[]): Promise<readonly number[]> =>
    new Promise((resolve, reject) => {
      if (this.#abandoned !== null) return reject(new KalphiteError('closed', this.#abandoned));
      const batch = ++this.#next;
      this.#unacked.set(batch, { ops, resolve, reject });
      this.#target?.(ops, batch);
    });

  /** A leader to send to (null: none yet); every batch not yet answered goes to it, in order. */
  setTarget(target: BatchTarget | null): void {
    this.#target = target;
    if (target) for (const [batch, { ops }] of this.#unacked) target(ops, batch);
  }

  /** The leader's answer: written (each op's mutation id, or null if it had been written before) or failed. */
  settle(batch: number, result: { readonly mutationIds: readonly number[] | null } | { readonly error: KalphiteError }): void {
    const entry = this.#unacked.get(batch);
    if (!entry) return;
    this.#unacked.delete(batch);
    if ('error' in result) return entry.reject(result.error);
    entry.resolve(result.mutationIds ?? []);
  }

  /** Fails every unanswered batch and every later one (the engine is closing without a leader). */
  abandon(message: string): void {
    this.#abandoned = message;
    for (const batch of [...this.#unacked.keys()]) this.settle(batch, { error: new KalphiteError('closed', message) });
  }
}
