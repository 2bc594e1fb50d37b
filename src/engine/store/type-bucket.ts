import type { Entity } from './entity.js';

/** What a bucket holds: an entity's place in memory, which remembers where it sits in its bucket. */
export interface Bucketed {
  entity: Entity | undefined;
  bucket: TypeBucket | null;
  /** Position in `bucket`'s slots. */
  index: number;
  /** Position in each secondary index's entry holding it, by the index's number (null: in none). */
  places: number[] | null;
}

/** Compact once holes outnumber entries and there are more than this many. */
const MIN_HOLES_TO_COMPACT = 64;

/**
 * The entities of one type, in insertion order, and the array `getByType` hands out until the type
 * changes. Adding is an array push and removing leaves a hole (no hashing), so keeping the index
 * costs a write almost nothing; holes are squeezed out when the array is next built.
 */
export class TypeBucket {
  readonly type: string;
  #slots: (Bucketed | null)[] = [];
  #holes = 0;
  #array: readonly Entity[] | null = null;

  constructor(type: string) {
    this.type = type;
  }

  get size(): number {
    return this.#slots.length - this.#holes;
  }

  add(slot: Bucketed): void {
    slot.bucket = this;
    slot.index = this.#slots.push(slot) - 1;
    this.#array = null;
  }

  remove(slot: Bucketed): void {
    this.#slots[slot.index] = null;
    slot.bucket = null;
    this.#holes++;
    this.#array = null;
    if (this.#holes > MIN_HOLES_TO_COMPACT && this.#holes * 2 > this.#slots.length) this.#compact();
  }

  /** One of this bucket's entities changed in place. */
  changed(): void {
    this.#array = null;
  }

  /** The same array until an entity of this type is added, removed or changed. */
  entities(): readonly Entity[] {
    if (this.#array !== null) return this.#array;
    if (this.#holes > 0) this.#compact();
    const array: Entity[] = [];
    for (const slot of this.#slots as Bucketed[]) array.push(slot.entity as Entity);
    return (this.#array = array);
  }

  /** Calls `fn` with each slot, in insertion order (building an index over the type). */
  forEachSlot(fn: (slot: Bucketed) => void): void {
    for (const slot of this.#slots) if (slot !== null) fn(slot);
  }

  #compact(): void {
    const slots = this.#slots;
    let kept = 0;
    for (const slot of slots) {
      if (slot === null) continue;
      slot.index = kept;
      slots[kept++] = slot;
    }
    slots.length = kept;
    this.#holes = 0;
  }
}
