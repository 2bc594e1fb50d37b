import { backoffDelay, type BackoffOptions } from '../backoff.js';
import type { Entity } from '../store/entity.js';
import type { Environment, TimerHandle } from '../environment.js';
import { toKalphiteError, type KalphiteError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import { opSpace, type FlushOp } from './flush-op.js';
import { PendingChanges } from './pending-changes.js';
import type { LocalWrite } from '../store/adopt.js';
import type { EntityChange } from '../store/store.js';

/** Whoever persists a batch: the local db, or the leader tab for a follower. */
export interface FlushSink {
  /** Resolves to each op's mutation id in its space (empty when the batch had been written before). */
  writeBatch(ops: readonly FlushOp[]): Promise<readonly number[]>;
}

export interface FlusherOptions {
  /** Where current values are read at flush time: memory is the truth, so the newest value wins. */
  readonly read: (id: string) => Entity | undefined;
  /** Where batches go (the local db, or the leader tab). */
  readonly sink: FlushSink;
  readonly env: Environment;
  readonly emit: EmitEvent;
  readonly delayMs: number;
  readonly maxWaitMs: number;
  readonly retry: BackoffOptions;
}

/** What one pending entity will become when flushed. */
export interface PendingFlush {
  readonly id: string;
  readonly op: 'upsert' | 'patch' | 'delete';
}

export interface FlusherSnapshot {
  readonly pending: readonly PendingFlush[];
  /** When the pending operations are due to flush (debounce, max wait or retry), or null. */
  readonly dueAt: number | null;
  readonly inFlight: { readonly batchId: number; readonly size: number; readonly startedAt: number } | null;
  /** Consecutive failed attempts; 0 when the last flush succeeded. */
  readonly failures: number;
}

/**
 * Layer 2: turns memory changes into local-db batches. Debounced with a max wait, coalesced per
 * entity, one batch at a time, retried with backoff; a failed batch merges back under newer writes.
 */
export class Flusher {
  readonly #o: FlusherOptions;
  /**
   * Entity id → its base: what the local db holds for it once earlier batches land (undefined:
   * nothing). The value to write is read from memory at flush time, so the newest write wins; the
   * base decides whether a missing entity is a delete or nothing at all.
   */
  #pending = new PendingChanges();
  #firstPendingAt: number | null = null;
  #timer: TimerHandle | null = null;
  #dueAt: number | null = null;
  #inFlight: Promise<boolean> | null = null;
  #inFlightBatch: PendingChanges | null = null;
  #inFlightInfo: FlusherSnapshot['inFlight'] = null;
  #failures = 0;
  #lastError: KalphiteError | null = null;
  #batchSeq = 0;
  #stopped = false;

  constructor(options: FlusherOptions) {
    this.#o = options;
  }

  /** Takes one local commit's changes (kept as handed over, not copied). */
  enqueue(changes: readonly EntityChange[]): void {
    if (changes.length === 0) return;
    this.#pending.add(changes);
    this.#firstPendingAt ??= this.#o.env.now();
    this.#schedule();
  }

  /** Persists everything pending now; rejects with the typed error if the batch fails. */
  async flush(): Promise<void> {
    if (this.#inFlight) await this.#inFlight;
    if (this.#pending.isEmpty) return;
    const ok = await this.#runBatch();
    if (!ok && this.#lastError) throw this.#lastError;
  }

  /** Resolves once no batch is in flight. */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  /** Forgets the pending writes of these entities, not yet in a batch (their space was lost: they have nowhere to go). */
  drop(ids: ReadonlySet<string>): void {
    this.#pending = this.#pending.without(ids);
    if (this.#pending.isEmpty) {
      this.#clearTimer();
      this.#firstPendingAt = null;
    }
  }

  /** Forgets every pending operation and failure (the local db is being reset under them). */
  discard(): void {
    this.#clearTimer();
    this.#pending = new PendingChanges();
    this.#firstPendingAt = null;
    this.#failures = 0;
    this.#lastError = null;
  }

  /** Cancels timers; pending operations stay (call `flush` first to keep them). */
  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
  }

  /** Whether `id` has a local change not yet committed to the local db (pending or in flight). */
  isPending(id: string): boolean {
    return this.#pending.has(id) || (this.#inFlightBatch?.has(id) ?? false);
  }

  /** What local changes not yet committed to the local db did to `id` (pending and in flight), or undefined. */
  localWrite = (id: string): LocalWrite | undefined => {
    const pending = this.#pending.write(id);
    const inFlight = this.#inFlightBatch?.write(id);
    if (pending === undefined || inFlight === undefined) return pending ?? inFlight;
    return pending === 'whole' || inFlight === 'whole' ? 'whole' : new Set([...inFlight, ...pending]);
  };

  snapshot(): FlusherSnapshot {
    const pending: PendingFlush[] = [];
    this.#pending.forEach((id, base, write) => {
      if (this.#o.read(id)) pending.push({ id, op: base && write !== 'whole' ? 'patch' : 'upsert' });
      else if (base) pending.push({ id, op: 'delete' });
    });
    return { pending, dueAt: this.#dueAt, inFlight: this.#inFlightInfo, failures: this.#failures };
  }

  #schedule(): void {
    if (this.#stopped || this.#pending.isEmpty || this.#inFlight) return;
    // While backing off after a failure, new writes wait for the retry instead of hammering the db.
    if (this.#failures > 0 && this.#timer !== null) return;
    const now = this.#o.env.now();
    const first = this.#firstPendingAt ?? now;
    const dueAt = Math.min(now + this.#o.delayMs, first + this.#o.maxWaitMs);
    this.#setTimer(dueAt, now);
    // No pending count here: counting distinct ids across commits would merge them on every commit.
    this.#o.emit({ type: 'flush:scheduled', dueAt });
  }

  #setTimer(dueAt: number, now: number): void {
    this.#clearTimer();
    this.#dueAt = dueAt;
    this.#timer = this.#o.env.setTimeout(() => {
      this.#timer = null;
      // Failures are reported by events and retried; nothing is lost by not awaiting here.
      void this.#runBatch();
    }, Math.max(0, dueAt - now));
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#o.env.clearTimeout(this.#timer);
    this.#timer = null;
    this.#dueAt = null;
  }

  /** Runs one batch of everything pending. Resolves true on commit, false on failure (never rejects). */
  #runBatch(): Promise<boolean> {
    if (this.#inFlight) return this.#inFlight;
    this.#clearTimer();
    const batch = this.#pending;
    this.#pending = new PendingChanges();
    this.#firstPendingAt = null;

    const ops: FlushOp[] = [];
    batch.forEach((id, base, write) => {
      const entity = this.#o.read(id);
      // An update of fields travels as a patch of them, so a concurrent edit of other fields survives.
      if (entity) ops.push(base && write !== 'whole' ? { id, type: entity.type, entity, before: base, fields: [...write] } : { id, type: entity.type, entity, before: base ?? null });
      else if (base) ops.push({ id, type: base.type, entity: null, before: base });
    });
    if (ops.length === 0) return Promise.resolve(true);

    const { env, emit } = this.#o;
    const batchId = ++this.#batchSeq;
    const attempt = this.#failures + 1;
    const startedAt = env.now();
    this.#inFlightInfo = { batchId, size: ops.length, startedAt };
    this.#inFlightBatch = batch;
    emit({ type: 'flush:started', batchId, size: ops.length, attempt });

    const run = async (): Promise<boolean> => {
      try {
        const mutationIds = await this.#o.sink.writeBatch(ops);
        this.#failures = 0;
        emit({ type: 'flush:committed', batchId, size: ops.length, durationMs: env.now() - startedAt, ids: ops.map((op) => op.id), spaces: ops.map(opSpace), mutationIds });
        return true;
      } catch (cause) {
        const error = toKalphiteError('db-failed', cause);
        this.#failures++;
        this.#lastError = error;
        this.#mergeBack(batch, startedAt);
        emit({ type: 'flush:failed', batchId, size: ops.length, attempt, error });
        return false;
      } finally {
        this.#inFlight = null;
        this.#inFlightInfo = null;
        this.#inFlightBatch = null;
      }
    };
    this.#inFlight = run().then((ok) => {
      if (ok) this.#schedule();
      else this.#scheduleRetry();
      return ok;
    });
    return this.#inFlight;
  }

  /** Puts a failed batch back without overwriting newer pending writes for the same entities. */
  #mergeBack(batch: PendingChanges, startedAt: number): void {
    // The failed batch never landed, so its bases stay the bases, under newer writes too.
    this.#pending.addEarlier(batch);
    this.#firstPendingAt = Math.min(this.#firstPendingAt ?? startedAt, startedAt);
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#pending.isEmpty) return;
    const now = this.#o.env.now();
    const delayMs = backoffDelay(this.#failures, this.#o.retry, this.#o.env.random);
    this.#setTimer(now + delayMs, now);
    this.#o.emit({ type: 'flush:retry', attempt: this.#failures + 1, delayMs, dueAt: now + delayMs });
  }
}
