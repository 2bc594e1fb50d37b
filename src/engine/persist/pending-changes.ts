import { changedFields } from '../../protocol/patch.js';
import type { LocalWrite } from '../store/adopt.js';
import type { Entity } from '../store/entity.js';
import type { EntityChange } from '../store/store.js';


interface Merged {
  readonly base: Entity | undefined;
  fields: Set<string> | 'whole';
}

/**
 * The entities changed since some point, each with its base (its value before the first of those
 * changes; undefined: it did not exist) and the fields those changes touched. Commits' change lists
 * are kept as the store hands them over and merged into a map only when a lookup or a second list
 * needs it, so a commit costs the write path no map inserts; a list from one commit names each
 * entity once.
 */
export class PendingChanges {
  #lists: (readonly EntityChange[])[] = [];
  #merged: Map<string, Merged> | null = null;

  get isEmpty(): boolean {
    return this.#lists.length === 0;
  }

  add(changes: readonly EntityChange[]): void {
    if (changes.length === 0) return;
    this.#lists.push(changes);
    if (this.#merged) merge(this.#merged, changes);
  }

  /** Puts `earlier` (a batch that failed to land) before everything here, so its bases win. */
  addEarlier(earlier: PendingChanges): void {
    if (earlier.isEmpty) return;
    const later = this.isEmpty ? null : this.#map();
    this.#lists.unshift(...earlier.#lists);
    const merged = new Map<string, Merged>();
    for (const [id, entry] of earlier.#map()) merged.set(id, copy(entry));
    if (later) {
      for (const [id, entry] of later) {
        const first = merged.get(id);
        if (first === undefined) merged.set(id, copy(entry));
        else widen(first, entry.fields);
      }
    }
    this.#merged = merged;
  }

  has(id: string): boolean {
    return !this.isEmpty && this.#map().has(id);
  }

  /** What the pending changes did to `id`, or undefined if none touched it. */
  write(id: string): LocalWrite | undefined {
    return this.isEmpty ? undefined : this.#map().get(id)?.fields;
  }

  /** The same changes without those of `ids`. */
  without(ids: ReadonlySet<string>): PendingChanges {
    const kept = new PendingChanges();
    if (this.isEmpty) return kept;
    const merged = new Map<string, Merged>();
    for (const [id, entry] of this.#map()) if (!ids.has(id)) merged.set(id, copy(entry));
    if (merged.size === 0) return kept;
    // One placeholder list keeps `isEmpty` honest; the merged map holds what the changes did.
    kept.#lists = [[]];
    kept.#merged = merged;
    return kept;
  }

  /** Each pending entity once, in the order of its first change, with its base and what the changes did to it. */
  forEach(fn: (id: string, base: Entity | undefined, write: LocalWrite) => void): void {
    const only = this.#single();
    if (only) for (const change of only) fn(change.id, change.before, fieldsOf(change));
    else if (!this.isEmpty) for (const [id, entry] of this.#map()) fn(id, entry.base, entry.fields);
  }

  /** The one list, when there is exactly one (and no merged map stands for more): it needs no merging. */
  #single(): readonly EntityChange[] | undefined {
    return this.#lists.length === 1 && this.#merged === null ? this.#lists[0] : undefined;
  }

  #map(): Map<string, Merged> {
    if (this.#merged) return this.#merged;
    const merged = new Map<string, Merged>();
    for (const list of this.#lists) merge(merged, list);
    return (this.#merged = merged);
  }
}

function fieldsOf(change: EntityChange): Set<string> | 'whole' {
  const fields = changedFields(change.before, change.after);
  return fields === null ? 'whole' : new Set(fields);
}

function merge(into: Map<string, Merged>, changes: readonly EntityChange[]): void {
  for (const change of changes) {
    const entry = into.get(change.id);
    if (entry === undefined) into.set(change.id, { base: change.before, fields: fieldsOf(change) });
    else if (entry.fields !== 'whole') widen(entry, fieldsOf(change));
  }
}

/** Adds what a later change did to what the earlier ones did. */
function widen(entry: Merged, fields: ReadonlySet<string> | 'whole'): void {
  if (entry.fields === 'whole') return;
  if (fields === 'whole') entry.fields = 'whole';
  else for (const field of fields) entry.fields.add(field);
}

const copy = (entry: Merged): Merged => ({ base: entry.base, fields: entry.fields === 'whole' ? 'whole' : new Set(entry.fields) });
