import type { Environment, TimerHandle } from '../environment.js';

export interface AwaitedAcknowledgementsOptions {
  /** How long a push's own poke may take to land its acknowledgement before a pull fetches it. */
  readonly graceMs: number;
  /** Pull `space` now: its acknowledgement did not come by poke. */
  readonly pull: (space: string) => void;
  readonly env: Pick<Environment, 'setTimeout' | 'clearTimeout'>;
}

/** A space's pushes whose acknowledgement is awaited from their poke: per client, the newest mutation id, and the deadline. */
interface Awaited {
  readonly upTo: Map<string, number>;
  timer: TimerHandle;
}

/**
 * Who brings a push's acknowledgement when the open poke stream names the space's client group:
 * the poke of the version the push made, which carries the group's news (mutation ids, refusals,
 * whether its user may write) — so the writer needs no pull after each push, and its next push
 * waits behind none. A pull is still asked for when that poke does not come within `graceMs` (lost
 * with its stream, or the push changed nothing and made no version), or when it comes without
 * saying whether the user may write (read back by another server): a lost poke costs one pull.
 *
 * Per space: awaited (from `expect` until a landing covers every client's newest pushed id, or the
 * deadline, which then pulls) or not. A new push of the space moves the deadline to its own.
 */
export class AwaitedAcknowledgements {
  readonly #o: AwaitedAcknowledgementsOptions;
  readonly #awaited = new Map<string, Awaited>();

  constructor(options: AwaitedAcknowledgementsOptions) {
    this.#o = options;
  }

  /** A push to `space` was taken, carrying mutations up to `upTo` per client: its poke should acknowledge them. */
  expect(space: string, upTo: ReadonlyMap<string, number>): void {
    const awaited = this.#awaited.get(space);
    if (awaited) this.#o.env.clearTimeout(awaited.timer);
    const merged = awaited?.upTo ?? new Map<string, number>();
    for (const [client, id] of upTo) merged.set(client, Math.max(id, merged.get(client) ?? 0));
    this.#awaited.set(space, { upTo: merged, timer: this.#deadline(space) });
  }

  /**
   * A pull or poke of `space` landed, acknowledging `acknowledgedUpTo` (per client; null: none) and
   * saying `writable` (undefined: it did not say). Covering every awaited id ends the wait — with a
   * pull at once if it did not say whether the user may write.
   */
  landed(space: string, acknowledgedUpTo: Readonly<Record<string, number>> | null, writable: boolean | undefined): void {
    const awaited = this.#awaited.get(space);
    if (!awaited || acknowledgedUpTo === null) return;
    for (const [client, id] of awaited.upTo) if ((acknowledgedUpTo[client] ?? 0) < id) return;
    this.#o.env.clearTimeout(awaited.timer);
    this.#awaited.delete(space);
    if (writable === undefined) this.#o.pull(space);
  }

  /** Nothing is awaited any more (paused, closed, the local db reset): the next start pulls anyway. */
  cancel(): void {
    for (const { timer } of this.#awaited.values()) this.#o.env.clearTimeout(timer);
    this.#awaited.clear();
  }

  #deadline(space: string): TimerHandle {
    return this.#o.env.setTimeout(() => {
      this.#awaited.delete(space);
      this.#o.pull(space);
    }, this.#o.graceMs);
  }
}
