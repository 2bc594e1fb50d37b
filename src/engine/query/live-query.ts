import { EventBus } from '../event-bus.js';
import type { Entity } from '../store/entity.js';
import type { RouteWatcher } from './secondary-index.js';
import type { QueryPlan } from './plan.js';

/**
 * A query kept up to date as the store changes (`store.query`). `result` is the same array until
 * the rows it shows change, so a component comparing it by identity re-renders only then.
 */
export interface LiveQuery<E extends Entity<unknown> = Entity> {
  readonly result: readonly E[];
  /** Called once per store commit that changed `result`, with the new one. */
  subscribe(listener: (result: readonly E[]) => void): () => void;
  /** Stops maintaining it (a disposed query keeps its last result and costs writes nothing). */
  dispose(): void;
  readonly disposed: boolean;
}

/** A count kept up to date the same way (`store.count`). */
export interface LiveCount {
  readonly result: number;
  subscribe(listener: (result: number) => void): () => void;
  dispose(): void;
  readonly disposed: boolean;
}

/** What a live result needs from whoever routes writes to it. */
export interface QueryHost {
  /** Delivers the result's change at the end of the current commit. */
  queue(watcher: Deliverable): void;
  detach(watcher: RouteWatcher): void;
}

export interface Deliverable {
  deliver(): void;
}

/**
 * A live query's rows: every entity it matches, sorted by its order, and the first `limit` of them
 * as `result`. A write it hears moves one row — a binary search and a splice, or an assignment in
 * place when its order did not change — and marks the result stale only when the row sits inside
 * the limit; the new array is built once per commit, and kept as the old one when equal.
 */
export class QueryRows<E extends Entity<unknown> = Entity> implements LiveQuery<E>, RouteWatcher, Deliverable {
  readonly #plan: QueryPlan;
  readonly #host: QueryHost;
  readonly #rows: Entity[];
  readonly #bus = new EventBus<readonly E[]>();
  #result: readonly E[];
  #delivered: readonly E[];
  #stale = false;
  #queued = false;
  #disposed = false;

  constructor(plan: QueryPlan, host: QueryHost, rows: Entity[]) {
    this.#plan = plan;
    this.#host = host;
    this.#rows = rows;
    this.#result = this.#delivered = (plan.limit < rows.length ? rows.slice(0, plan.limit) : rows.slice()) as readonly Entity[] as readonly E[];
  }

  get result(): readonly E[] {
    if (this.#stale) this.#refresh();
    return this.#result;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  subscribe = (listener: (result: readonly E[]) => void): (() => void) => this.#bus.subscribe(listener);

  dispose = (): void => {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#host.detach(this);
    this.#bus.clear();
  };

  changed(before: Entity | undefined, after: Entity | undefined): void {
    const { matches, compare, limit } = this.#plan;
    const was = before !== undefined && matches(before);
    const is = after !== undefined && matches(after);
    if (!was && !is) return;
    const rows = this.#rows;
    let touched: number;
    const at = was ? this.#find(before) : -1;
    if (at >= 0 && is) {
      // Still between its neighbours: the row changes in place, nothing moves.
      if ((at === 0 || compare(rows[at - 1]!, after) < 0) && (at === rows.length - 1 || compare(after, rows[at + 1]!) < 0)) {
        rows[at] = after;
        touched = at;
      } else {
        rows.splice(at, 1);
        const to = lowerBound(rows, after, compare);
        rows.splice(to, 0, after);
        touched = Math.min(at, to);
      }
    } else if (at >= 0) {
      touched = at;
      rows.splice(touched, 1);
    } else if (is) {
      touched = lowerBound(rows, after!, compare);
      rows.splice(touched, 0, after!);
    } else return;
    if (touched < limit) this.#markStale();
  }

  deliver(): void {
    this.#queued = false;
    if (this.#disposed) return;
    const result = this.result;
    if (result === this.#delivered) return;
    this.#delivered = result;
    this.#bus.emit(result);
  }

  #markStale(): void {
    this.#stale = true;
    if (!this.#queued) {
      this.#queued = true;
      this.#host.queue(this);
    }
  }

  #refresh(): void {
    this.#stale = false;
    const rows = this.#rows;
    const length = Math.min(rows.length, this.#plan.limit);
    const old = this.#result;
    if (old.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (old[i] !== rows[i]) {
          same = false;
          break;
        }
      }
      // Writes that cancelled out (a rolled-back batch, a value written back): the same array.
      if (same) return;
    }
    this.#result = (length === rows.length ? rows.slice() : rows.slice(0, length)) as readonly Entity[] as readonly E[];
  }

  /** Where `entity` (the value the rows hold) sits: found by its order, else by its id. */
  #find(entity: Entity): number {
    const rows = this.#rows;
    const at = lowerBound(rows, entity, this.#plan.compare);
    if (rows[at]?.id === entity.id) return at;
    // Only an entity changed in place by the app (instead of written anew) sorts elsewhere; -1: not a row.
    return rows.findIndex((row) => row.id === entity.id);
  }
}

/** A live count: the number of matching entities, changed by each write that enters or leaves. */
export class QueryCount implements LiveCount, RouteWatcher, Deliverable {
  readonly #plan: QueryPlan;
  readonly #host: QueryHost;
  readonly #bus = new EventBus<number>();
  #count: number;
  #delivered: number;
  #queued = false;
  #disposed = false;

  constructor(plan: QueryPlan, host: QueryHost, count: number) {
    this.#plan = plan;
    this.#host = host;
    this.#count = this.#delivered = count;
  }

  get result(): number {
    return this.#count;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  subscribe = (listener: (result: number) => void): (() => void) => this.#bus.subscribe(listener);

  dispose = (): void => {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#host.detach(this);
    this.#bus.clear();
  };

  changed(before: Entity | undefined, after: Entity | undefined): void {
    const { matches } = this.#plan;
    const delta = (after !== undefined && matches(after) ? 1 : 0) - (before !== undefined && matches(before) ? 1 : 0);
    if (delta === 0) return;
    this.#count += delta;
    if (!this.#queued) {
      this.#queued = true;
      this.#host.queue(this);
    }
  }

  deliver(): void {
    this.#queued = false;
    if (this.#disposed || this.#count === this.#delivered) return;
    this.#delivered = this.#count;
    this.#bus.emit(this.#count);
  }
}

/** The first position whose row sorts at or after `entity`. */
function lowerBound(rows: readonly Entity[], entity: Entity, compare: (a: Entity, b: Entity) => number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(rows[mid]!, entity) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
