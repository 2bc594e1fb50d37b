import type { Entity } from '../store/entity.js';
import type { EntityChange } from '../store/store.js';

/**
 * The entities changed since some point, each with its base: its value before the first of those
 * changes (undefined: it did not exist). Commits' change lists are kept as the store hands them over
 * and merged into a map only when a lookup or a second list needs it, so a commit costs the write
 * path no map inserts; a list from one commit names each entity once.
 */
export class PendingChanges {
  #lists: (readonly EntityChange[])[] = [];
  #merged: Map<string, Entity | undefined> | null = null;

  get isEmpty(): boolean {
    return this.#lists.length === 0;
  }

  add(changes: readonly EntityChange[]): void {
    if (changes.length === 0) return;
    this.#lists.push(changes);
    if (this.#merged) mergeFirstBases(this.#merged, changes);
  }

  /** Puts `earlier` (a batch that failed to land) before everything here, so its bases win. */
  addEarlier(earlier: PendingChanges): void {
    this.#lists.unshift(...earlier.#lists);
    this.#merged = null;
  }

  has(id: string): boolean {
    return !this.isEmpty && this.#map().has(id);
  }

  /** Each pending entity once, in the order of its first change, with its base. */
  forEach(fn: (id: string, base: Entity | undefined) => void): void {
    const only = this.#single();
    if (only) for (const change of only) fn(change.id, change.before);
    else if (!this.isEmpty) for (const [id, base] of this.#map()) fn(id, base);
  }

  /** The one list, when there is exactly one: it needs no merging. */
  #single(): readonly EntityChange[] | undefined {
    return this.#lists.length === 1 ? this.#lists[0] : undefined;
  }

  #map(): Map<string, Entity | undefined> {
    if (this.#merged) return this.#merged;
    const merged = new Map<string, Entity | undefined>();
    for (const list of this.#lists) mergeFirstBases(merged, list);
    return (this.#merged = merged);
  }
}

function mergeFirstBases(into: Map<string, Entity | undefined>, changes: readonly EntityChange[]): void {
  for (const change of changes) if (!into.has(change.id)) into.set(change.id, change.before);
}
