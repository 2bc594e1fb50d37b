import type { Entity } from '../store/entity.js';
import { fieldPath } from './plan.js';
import { fieldReader } from './values.js';
import type { Bucketed } from '../store/type-bucket.js';

/**
 * Hears the writes of the entities one route leads to: `before` undefined when one enters the
 * route, `after` undefined when one leaves it, both when one changes within it.
 */
export interface RouteWatcher {
  changed(before: Entity | undefined, after: Entity | undefined): void;
}

/** The entities of one type holding one combination of values in an index's fields. */
export interface IndexEntry {
  /**
   * In the order they entered, so `getByType(type, space)` keeps insertion order; a removed one
   * leaves a hole (null) until the entry is compacted. An array, not a Set: a Set hashes each
   * slot object on first insertion, which made building an index several times slower.
   */
  readonly slots: (Bucketed | null)[];
  holes: number;
  /** The live queries and counts whose equalities on these fields are these values. */
  readonly watchers: Set<RouteWatcher>;
  /** The entities as an array, until one of them changes. */
  array: readonly Entity[] | null;
}

/** A field value no equality can name (an object, an array): such entities match no route. */
const UNMATCHABLE = Symbol('unmatchable');
const MISSING = '\u0000missing';
/** Compact an entry once holes outnumber its entities and there are more than this many. */
const MIN_HOLES_TO_COMPACT = 64;

/**
 * A secondary index of one type on one or more fields (`data.filePath`, `space`): for each value
 * (or combination), the entities holding it and the queries asking for it. It is kept per write —
 * a write whose values did not change costs one key computation per field and an array reset — so
 * a live query hears only the writes of its own rows, and a new one starts from its rows, not from
 * the whole type.
 *
 * A declared index is complete: every value has its entry, built as entities load. One a query
 * creates on first use is partial: it holds only the values asked for, each filled by one scan of
 * the type when first asked (hashing every entity's value into a full index cost ten times a
 * filter), and kept from then on.
 */
export class SecondaryIndex {
  readonly fields: readonly string[];
  /** This index's place in each slot's `places`. */
  readonly #number: number;
  readonly #readers: readonly ((entity: Entity) => unknown)[];
  readonly #entries = new Map<unknown, IndexEntry>();

  /** Null: complete; else how to visit the type's entities to fill a newly asked value. */
  readonly #scan: ((fn: (slot: Bucketed) => void) => void) | null;

  constructor(fields: readonly string[], number: number, scan: ((fn: (slot: Bucketed) => void) => void) | null) {
    this.fields = fields;
    this.#number = number;
    this.#scan = scan;
    this.#readers = fields.map((field) => fieldReader(fieldPath(field)));
  }

  /** The index of these fields, whatever their order, has this name. */
  static nameOf(fields: readonly string[]): string {
    return [...fields].sort().join('\u0000');
  }

  /** The entry key of an entity: the value itself for one field, else the values as JSON. */
  keyOf(entity: Entity): unknown {
    const readers = this.#readers;
    if (readers.length === 1) return routable(readers[0]!(entity));
    const values: unknown[] = [];
    for (const read of readers) {
      const value = routable(read(entity));
      if (value === UNMATCHABLE) return UNMATCHABLE;
      // JSON would write a missing value as null; a NUL-led string is one no entity can hold.
      values.push(value === undefined ? MISSING : value);
    }
    return JSON.stringify(values);
  }

  /** The entry key of the values an equality names, field by field in `this.fields` order. */
  keyOfValues(values: readonly unknown[]): unknown {
    return values.length === 1 ? values[0] : JSON.stringify(values);
  }

  /** The entry for `key`, made when absent (a query may wait for values nobody holds yet); a partial index fills it. */
  ensure(key: unknown): IndexEntry {
    let entry = this.#entries.get(key);
    if (entry !== undefined) return entry;
    this.#entries.set(key, (entry = { slots: [], holes: 0, watchers: new Set(), array: null }));
    const made = entry;
    this.#scan?.((slot) => {
      if (this.keyOf(slot.entity!) === key) (slot.places ??= [])[this.#number] = made.slots.push(slot) - 1;
    });
    return entry;
  }

  /** Forgets an entry of a complete index that nobody holds or asks for, so ended values (closed spaces) cost nothing. */
  release(key: unknown, entry: IndexEntry): void {
    if (this.#scan === null && entry.slots.length === entry.holes && entry.watchers.size === 0) this.#entries.delete(key);
  }

  /** Fills a new index (nobody watches it yet): one key and one Set insertion per entity. */
  build(forEachSlot: (fn: (slot: Bucketed) => void) => void): void {
    const entries = this.#entries;
    forEachSlot((slot) => {
      const key = this.keyOf(slot.entity!);
      let entry = entries.get(key);
      if (entry === undefined) entries.set(key, (entry = { slots: [], holes: 0, watchers: new Set(), array: null }));
      (slot.places ??= [])[this.#number] = entry.slots.push(slot) - 1;
    });
  }

  add(slot: Bucketed, entity: Entity): void {
    const key = this.keyOf(entity);
    const entry = this.#scan === null ? this.ensure(key) : this.#entries.get(key);
    if (entry === undefined) return;
    (slot.places ??= [])[this.#number] = entry.slots.push(slot) - 1;
    entry.array = null;
    for (const watcher of entry.watchers) watcher.changed(undefined, entity);
  }

  remove(slot: Bucketed, entity: Entity): void {
    const key = this.keyOf(entity);
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.slots[slot.places![this.#number]!] = null;
    entry.holes++;
    entry.array = null;
    for (const watcher of entry.watchers) watcher.changed(entity, undefined);
    if (entry.holes > MIN_HOLES_TO_COMPACT && entry.holes * 2 > entry.slots.length) this.#compact(entry);
    this.release(key, entry);
  }

  update(slot: Bucketed, before: Entity, after: Entity): void {
    const was = this.keyOf(before);
    const is = this.keyOf(after);
    if (was === is) {
      const entry = this.#entries.get(is);
      if (entry === undefined) return;
      entry.array = null;
      for (const watcher of entry.watchers) watcher.changed(before, after);
      return;
    }
    this.remove(slot, before);
    this.add(slot, after);
  }

  #compact(entry: IndexEntry): void {
    const slots = entry.slots;
    let kept = 0;
    for (const slot of slots) {
      if (slot === null) continue;
      slot.places![this.#number] = kept;
      slots[kept++] = slot;
    }
    slots.length = kept;
    entry.holes = 0;
  }
}

function routable(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? UNMATCHABLE : value;
}
