import { KalphiteError } from '../errors.js';
import type { Outbox } from './ports.js';
import { httpStatus, isPermanent } from './transport.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: KalphiteError) => void;
}

/**
 * Which spaces sync pulls and pokes for — the synced ones (open in memory; a leader's, every tab's)
 * and closed ones whose writes await acknowledgement — and who waits for a space's first pull.
 */
export class SyncedSpaces {
  readonly #outbox: Outbox;
  readonly #synced = new Set<string>();
  /** Closed with `forget`: pulled only while their writes await acknowledgement, written nowhere. */
  readonly #forgotten = new Set<string>();
  readonly #waiting = new Map<string, Waiter[]>();

  constructor(outbox: Outbox) {
    this.#outbox = outbox;
  }

  add(space: string): void {
    this.#forgotten.delete(space);
    this.#synced.add(space);
  }

  /** Synced no more (its writes are still pulled for); those waiting for it go on. */
  remove(space: string, forget: boolean): void {
    this.#synced.delete(space);
    if (forget) this.#forgotten.add(space);
    this.landed(space);
  }

  /** Gone for good (read access lost): those waiting for it hear why. */
  lose(space: string, error: KalphiteError): void {
    this.#synced.delete(space);
    this.#forgotten.delete(space);
    for (const waiter of this.#waiting.get(space) ?? []) waiter.reject(error);
    this.#waiting.delete(space);
  }

  /** Closed with `forget` and not opened since. */
  forgotten(space: string): boolean {
    return this.#forgotten.has(space) && !this.#synced.has(space);
  }

  /** Every space to pull, in a stable order (the poke stream names them). */
  pullable(): string[] {
    const spaces = new Set(this.#synced);
    for (const space of this.#outbox.spaces.keys()) if (this.#outbox.unacknowledgedIn(space) > 0) spaces.add(space);
    return [...spaces].sort();
  }

  /** Resolves once a pull of `space` has landed. */
  wait(space: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const list = this.#waiting.get(space) ?? [];
      list.push({ resolve, reject });
      this.#waiting.set(space, list);
    });
  }

  landed(space: string): void {
    for (const waiter of this.#waiting.get(space) ?? []) waiter.resolve();
    this.#waiting.delete(space);
  }

  /**
   * A pull turn failed. No answer at all (offline): those waiting go on with the local copy. A
   * refusal retrying cannot fix: they hear it. Anything else is retried, and they wait on.
   */
  pullFailed(error: unknown): void {
    const status = httpStatus(error);
    if (status !== null && !isPermanent(status)) return;
    for (const list of this.#waiting.values()) {
      for (const waiter of list) {
        if (status === null) waiter.resolve();
        else waiter.reject(error instanceof KalphiteError ? error : new KalphiteError('server-error', String(error)));
      }
    }
    this.#waiting.clear();
  }
}
