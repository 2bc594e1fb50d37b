import { withSpace } from '../../protocol/entity.js';
import { DEFAULT_SPACE } from '../../protocol/space.js';
import { assertEntity, type Entity } from './entity.js';
import { KalphiteError } from '../errors.js';
import { EventBus } from '../event-bus.js';
import type { LiveCount, LiveQuery } from '../query/live-query.js';
import type { CountOptions, QueryOptions } from '../query/options.js';
import { QueryRegistry, type IndexDeclarations } from '../query/registry.js';
import type { AnyEntityOf, EntityInputOf, EntityOf, EntitySchema, NoSchema, TypeName } from './schema-types.js';
import type { EntityValidator } from './schema.js';
import { TypeBucket, type Bucketed } from './type-bucket.js';

/** One entity's change within a commit: `before`/`after` are `undefined` where it did not exist. */
export interface EntityChange {
  readonly id: string;
  readonly before: Entity | undefined;
  readonly after: Entity | undefined;
}

/** Where a commit came from: this engine's own writes, the server (a pull, the local db), or another tab. */
export type ChangeOrigin = 'local' | 'server' | 'tab';

/** What subscribers hear: every change since the previous notification, coalesced per entity. */
export interface StoreCommit {
  readonly origin: ChangeOrigin;
  /** The tag of the batch that made this commit (`batch(fn, { tag })`), e.g. `devtools`; else null. */
  readonly tag: string | null;
  readonly version: number;
  readonly changes: readonly EntityChange[];
}

export type StoreListener = (commit: StoreCommit) => void;

/**
 * What the store asks of spaces on a local write: where an entity without a space goes, and
 * whether a space takes local writes now (it throws a typed error when not: not open, read-only).
 */
export interface SpaceRules {
  readonly defaultSpace: string;
  checkWrite(space: string): void;
}

const ANY_SPACE: SpaceRules = { defaultSpace: DEFAULT_SPACE, checkWrite: () => {} };

export interface BatchOptions {
  /** Names where the writes came from; their commit and `store:changed` event carry it. */
  readonly tag?: string;
}

/**
 * The seed's `store.entities`: a real Map whose writes the engine sees. With a schema, `set` takes
 * the type's input and stores the validator's output.
 */
export interface EntityMap<S extends EntitySchema = NoSchema, Strict extends boolean = false> extends ReadonlyMap<string, AnyEntityOf<S, Strict>> {
  set<T extends TypeName<S, Strict>>(id: string, entity: EntityInputOf<S, T> & { readonly type: T }): this;
  delete(id: string): boolean;
  clear(): void;
}

/**
 * Layer 1, the public face: synchronous reads and writes over memory. Typed by the engine's
 * schema (`createKalphite({ schema })`); without one every type is a string and data any JSON.
 */
export interface KalphiteStore<S extends EntitySchema = NoSchema, Strict extends boolean = false> {
  readonly entities: EntityMap<S, Strict>;
  /** Increments with every committed change: the snapshot for `useSyncExternalStore`. */
  readonly version: number;
  getSnapshot(): number;
  getById(id: string): AnyEntityOf<S, Strict> | null;
  /** The same array until an entity of `type` (in `space`, when given) changes. */
  getByType<T extends TypeName<S, Strict>>(type: T, space?: string): readonly EntityOf<S, T>[];
  /** The same array until any entity changes. */
  getAll(): readonly AnyEntityOf<S, Strict>[];
  /**
   * A live query: the entities of `type` matching `where` (field equality inside data, from a
   * secondary index), `filter` and `space`, sorted by `orderBy` then id, the first `limit` of them.
   * Kept up to date per write; `dispose()` it when done.
   */
  query<T extends TypeName<S, Strict>>(type: T, options?: QueryOptions<EntityOf<S, T>>): LiveQuery<EntityOf<S, T>>;
  /** A live count of the entities matching the same filters. */
  count<T extends TypeName<S, Strict>>(type: T, options?: CountOptions<EntityOf<S, T>>): LiveCount;
  /** Subscribers are called once per batch, or once per tick for writes outside a batch. */
  subscribe(listener: StoreListener): () => void;
  /** Applies every write in `fn` with one notification; if `fn` throws, none of its writes stay. */
  batch<T>(fn: () => T, options?: BatchOptions): T;
}

const EMPTY: readonly Entity[] = Object.freeze([]);

export interface MemoryStoreOptions {
  readonly maxEntityBytes?: number;
  readonly spaces?: SpaceRules;
  /** Secondary indexes built as entities load (queries create the ones they need on first use). */
  readonly indexes?: IndexDeclarations;
  /** Checks every local write's data, and gives what is stored (`createKalphite({ schema })`). */
  readonly schema?: EntityValidator;
}

/**
 * One id's place in memory. Every write finds it with one Map lookup and updates it in place: the
 * entity, whether the current commit has seen it (its dirty-list stamp and its value before the
 * commit), and its place in the type index. A deleted entity's slot stays, empty, until the commit
 * is delivered, so writing the id again in the same commit finds the same slot.
 */
interface Slot extends Bucketed {
  readonly id: string;
  /** The commit whose dirty list holds this slot; `before` is its entity when that commit began. */
  commit: number;
  dirtyIndex: number;
  before: Entity | undefined;
}

export class MemoryStore implements KalphiteStore {
  readonly #slots = new Map<string, Slot>();
  /** Entities in memory (the slots minus the emptied ones awaiting their commit). */
  #size = 0;
  readonly #byType = new Map<string, TypeBucket>();
  #allArray: readonly Entity[] | null = null;
  #version = 0;

  /** The current commit's number and the slots it changed, each once, in first-change order. */
  #commit = 0;
  #dirty: Slot[] = [];
  #localCommitHandler: ((changes: readonly EntityChange[]) => void) | null = null;
  #origin: ChangeOrigin = 'local';
  #tag: string | null = null;
  #notifyQueued = false;
  #batchDepth = 0;
  /**
   * Rollback log of the outermost batch. Slots first changed inside the batch are on the dirty list
   * after `#dirtyAtBatchStart` with their value from before it, so only slots changed both before and
   * inside the batch need an entry here.
   */
  #undo: Map<Slot, Entity | undefined> | null = null;
  #dirtyAtBatchStart = 0;
  #guard: (() => void) | null = null;
  readonly #bus = new EventBus<StoreCommit>();
  /** Live queries, counts and secondary indexes: null until the first asks, so writes pay nothing before. */
  #queries: QueryRegistry | null = null;

  readonly entities: EntityMap;

  /** Entities larger than this as JSON are refused (a push must carry them). */
  readonly #maxEntityBytes: number;
  readonly #spaces: SpaceRules;
  readonly #schema: EntityValidator | null;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxEntityBytes = options.maxEntityBytes ?? Number.POSITIVE_INFINITY;
    this.#spaces = options.spaces ?? ANY_SPACE;
    this.#schema = options.schema ?? null;
    if (options.indexes !== undefined) this.#queries = new QueryRegistry(this.#bucketOf, options.indexes);
    const slots = this.#slots;
    this.getById = (id) => slots.get(id)?.entity ?? null;
    this.entities = new EntityMapView(this, slots);
  }

  get version(): number {
    return this.#version;
  }

  /** Entities in memory. */
  get size(): number {
    return this.#size;
  }

  getSnapshot = (): number => this.#version;

  /** The hottest read: a closure over the slot map, without a private-field check per call. */
  readonly getById: (id: string) => Entity | null;

  getByType = (type: string, space?: string): readonly Entity[] =>
    (space === undefined ? this.#byType.get(type)?.entities() : this.#registry().inSpace(type, space)) ?? EMPTY;

  query = <E extends Entity = Entity>(type: string, options?: QueryOptions<E>): LiveQuery<E> => this.#registry().query(type, options);

  count = <E extends Entity = Entity>(type: string, options?: CountOptions<E>): LiveCount => this.#registry().count(type, options as CountOptions | undefined);

  #registry(): QueryRegistry {
    return (this.#queries ??= new QueryRegistry(this.#bucketOf));
  }

  readonly #bucketOf = (type: string): TypeBucket | undefined => this.#byType.get(type);

  getAll = (): readonly Entity[] => (this.#allArray ??= Array.from(this.entities.values()));

  /** Counts per type without building arrays (for `inspect()`). */
  countsByType(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [type, bucket] of this.#byType) if (bucket.size > 0) counts[type] = bucket.size;
    return counts;
  }

  subscribe = (listener: StoreListener): (() => void) => this.#bus.subscribe(listener);

  batch = <T>(fn: () => T, options?: BatchOptions): T => {
    const outermost = this.#batchDepth === 0;
    if (outermost) {
      if (options?.tag !== undefined) {
        // Earlier untagged writes get their own commit, so the tag names only this batch's.
        this.notifyNow();
        this.#tag = options.tag;
      }
      this.#undo = new Map();
      this.#dirtyAtBatchStart = this.#dirty.length;
    }
    this.#batchDepth++;
    try {
      return fn();
    } catch (error) {
      if (outermost) this.#rollback();
      throw error;
    } finally {
      this.#batchDepth--;
      if (outermost) {
        this.#undo = null;
        this.notifyNow();
        this.#tag = null;
      }
    }
  };

  /**
   * Every entity in memory carries its space: one written without it keeps the stored entity's, or
   * goes to the default space; one naming another space than the stored entity's throws
   * `space-immutable` (moving is a delete and a create under a new id).
   */
  set(id: string, given: Entity): void {
    this.#guard?.();
    const entity = this.#schema === null ? given : this.#schema.check(id, given);
    assertEntity(id, entity, this.#maxEntityBytes);
    const current = this.#slots.get(id)?.entity;
    const space = entity.space ?? current?.space ?? this.#spaces.defaultSpace;
    if (current?.space !== undefined && current.space !== space) {
      throw new KalphiteError('space-immutable', `Entity "${id}" belongs to space ${current.space}; it cannot move to ${space} (delete it and create a new id there).`);
    }
    this.#spaces.checkWrite(space);
    this.#write(id, withSpace(entity, space));
  }

  delete(id: string): boolean {
    this.#guard?.();
    const current = this.#slots.get(id)?.entity;
    if (current === undefined) return false;
    this.#spaces.checkWrite(current.space ?? this.#spaces.defaultSpace);
    this.#write(id, undefined);
    return true;
  }

  /** Makes every later write throw `error` (used once the engine is closed). */
  refuseWrites(message: string): void {
    this.#guard = () => {
      throw new KalphiteError('closed', message);
    };
  }

  /** Fills an empty store from the local db: no notification, nothing to persist. */
  load(entities: Iterable<Entity>): void {
    for (const entity of entities) this.#place(this.#slotFor(entity.id), entity);
    this.#version++;
    this.#queries?.deliver();
  }

  /**
   * Applies writes that did not originate here (server state, another tab's writes) as one commit
   * with that origin, so the flusher does not log them as local mutations. Use `adoptExternal`
   * (adopt.ts), which keeps local writes on their way.
   */
  applyExternal(writes: Iterable<readonly [id: string, entity: Entity | undefined]>, origin: Exclude<ChangeOrigin, 'local'>): void {
    this.notifyNow();
    this.#origin = origin;
    this.#tag = null;
    try {
      for (const [id, entity] of writes) this.#write(id, entity);
      this.notifyNow();
    } finally {
      this.#origin = 'local';
      this.#tag = null;
    }
  }

  /** Receives each local commit's changes (the same list subscribers get), e.g. for the flusher. */
  onLocalCommit(handler: (changes: readonly EntityChange[]) => void): void {
    this.#localCommitHandler = handler;
  }

  /** Delivers any queued notification synchronously. */
  notifyNow(): void {
    if (this.#dirty.length === 0) return;
    const dirty = this.#dirty;
    this.#dirty = [];
    this.#commit++;
    const changes: EntityChange[] = [];
    for (const slot of dirty) {
      const { before, entity: after } = slot;
      if (before !== after) changes.push({ id: slot.id, before, after });
      // The commit no longer needs the earlier value, nor an emptied slot.
      slot.before = undefined;
      if (after === undefined) this.#slots.delete(slot.id);
    }
    this.#queries?.deliver();
    if (changes.length === 0) return;
    this.#bus.emit({ origin: this.#origin, tag: this.#tag, version: this.#version, changes });
    if (this.#origin === 'local') this.#localCommitHandler?.(changes);
  }

  #write(id: string, next: Entity | undefined): void {
    const slot = next === undefined ? this.#slots.get(id) : this.#slotFor(id);
    if (slot === undefined || slot.entity === next) return;
    if (slot.commit !== this.#commit) {
      slot.commit = this.#commit;
      slot.before = slot.entity;
      slot.dirtyIndex = this.#dirty.push(slot) - 1;
    } else if (this.#undo !== null && slot.dirtyIndex < this.#dirtyAtBatchStart && !this.#undo.has(slot)) {
      this.#undo.set(slot, slot.entity);
    }
    this.#place(slot, next);
    this.#version++;
    if (this.#batchDepth === 0 && !this.#notifyQueued && this.#origin === 'local') {
      this.#notifyQueued = true;
      queueMicrotask(() => {
        this.#notifyQueued = false;
        this.notifyNow();
      });
    }
  }

  #slotFor(id: string): Slot {
    let slot = this.#slots.get(id);
    if (slot === undefined) {
      slot = { id, entity: undefined, bucket: null, index: -1, places: null, commit: -1, dirtyIndex: -1, before: undefined };
      this.#slots.set(id, slot);
    }
    return slot;
  }

  /** Puts `next` in `slot`, keeping the count and the type index current. */
  #place(slot: Slot, next: Entity | undefined): void {
    const prev = slot.entity;
    slot.entity = next;
    if (prev === undefined) this.#size++;
    if (next === undefined) this.#size--;
    const bucket = slot.bucket;
    if (bucket !== null && next !== undefined && bucket.type === next.type) bucket.changed();
    else {
      bucket?.remove(slot);
      if (next !== undefined) this.#bucket(next.type).add(slot);
    }
    this.#allArray = null;
    if (this.#queries !== null) this.#queries.placed(slot, prev, next);
  }

  #bucket(type: string): TypeBucket {
    let bucket = this.#byType.get(type);
    if (bucket === undefined) this.#byType.set(type, (bucket = new TypeBucket(type)));
    return bucket;
  }

  #rollback(): void {
    const undo = this.#undo;
    if (!undo) return;
    this.#undo = null;
    const firstInBatch = this.#dirty.splice(this.#dirtyAtBatchStart);
    for (const slot of firstInBatch) {
      this.#place(slot, slot.before);
      slot.commit = -1;
      slot.before = undefined;
      if (slot.entity === undefined) this.#slots.delete(slot.id);
    }
    for (const [slot, before] of undo) this.#place(slot, before);
    this.#version++;
  }
}

class EntityMapView implements EntityMap {
  readonly #store: MemoryStore;
  readonly #slots: ReadonlyMap<string, Slot>;

  constructor(store: MemoryStore, slots: ReadonlyMap<string, Slot>) {
    this.#store = store;
    this.#slots = slots;
  }

  get size(): number {
    return this.#store.size;
  }

  get [Symbol.toStringTag](): string {
    return 'EntityMap';
  }

  get(id: string): Entity | undefined {
    return this.#slots.get(id)?.entity;
  }

  has(id: string): boolean {
    return this.#slots.get(id)?.entity !== undefined;
  }

  set(id: string, entity: Entity): this {
    this.#store.set(id, entity);
    return this;
  }

  delete(id: string): boolean {
    return this.#store.delete(id);
  }

  clear(): void {
    const ids = Array.from(this.keys());
    this.#store.batch(() => {
      for (const id of ids) this.#store.delete(id);
    });
  }

  *keys(): MapIterator<string> {
    for (const slot of this.#slots.values()) if (slot.entity !== undefined) yield slot.id;
  }

  *values(): MapIterator<Entity> {
    for (const slot of this.#slots.values()) if (slot.entity !== undefined) yield slot.entity;
  }

  *entries(): MapIterator<[string, Entity]> {
    for (const slot of this.#slots.values()) if (slot.entity !== undefined) yield [slot.id, slot.entity];
  }

  forEach(callback: (entity: Entity, id: string, map: ReadonlyMap<string, Entity>) => void, thisArg?: unknown): void {
    for (const [id, entity] of this.entries()) callback.call(thisArg, entity, id, this);
  }

  [Symbol.iterator](): MapIterator<[string, Entity]> {
    return this.entries();
  }
}
