import { assertEntity, type Entity } from './entity.js';
import { KalphiteError } from './errors.js';
import { EventBus } from './event-bus.js';

/** One entity's change within a commit: `before`/`after` are `undefined` where it did not exist. */
export interface EntityChange {
  readonly id: string;
  readonly before: Entity | undefined;
  readonly after: Entity | undefined;
}

/** Where a commit came from: this engine's own writes, or server state applied by sync. */
export type ChangeOrigin = 'local' | 'remote';

/** What subscribers hear: every change since the previous notification, coalesced per entity. */
export interface StoreCommit {
  readonly origin: ChangeOrigin;
  /** The tag of the batch that made this commit (`batch(fn, { tag })`), e.g. `devtools`; else null. */
  readonly tag: string | null;
  readonly version: number;
  readonly changes: readonly EntityChange[];
}

export type StoreListener = (commit: StoreCommit) => void;

export interface BatchOptions {
  /** Names where the writes came from; their commit and `store:changed` event carry it. */
  readonly tag?: string;
}

/** The seed's `store.entities`: a real Map whose writes the engine sees. */
export interface EntityMap extends ReadonlyMap<string, Entity> {
  set(id: string, entity: Entity): this;
  delete(id: string): boolean;
  clear(): void;
}

/** Layer 1, the public face: synchronous reads and writes over memory. */
export interface KalphiteStore {
  readonly entities: EntityMap;
  /** Increments with every committed change: the snapshot for `useSyncExternalStore`. */
  readonly version: number;
  getSnapshot(): number;
  getById(id: string): Entity | null;
  /** The same array until an entity of `type` changes. */
  getByType(type: string): readonly Entity[];
  /** The same array until any entity changes. */
  getAll(): readonly Entity[];
  /** Subscribers are called once per batch, or once per tick for writes outside a batch. */
  subscribe(listener: StoreListener): () => void;
  /** Applies every write in `fn` with one notification; if `fn` throws, none of its writes stay. */
  batch<T>(fn: () => T, options?: BatchOptions): T;
}

const EMPTY: readonly Entity[] = Object.freeze([]);

/** Each entity of one type, and the array `getByType` hands out until the type changes. */
interface TypeBucket {
  readonly entities: Map<string, Entity>;
  array: readonly Entity[] | null;
}

/** Entity id → the entity before the first change since the last hand-over (undefined: it did not exist). */
export type ChangedEntities = Map<string, Entity | undefined>;

export class MemoryStore implements KalphiteStore {
  readonly #entities = new Map<string, Entity>();
  readonly #byType = new Map<string, TypeBucket>();
  #allArray: readonly Entity[] | null = null;
  #version = 0;

  /** First `before` of each entity changed since the last notification. */
  #changed: ChangedEntities = new Map();
  #localCommitHandler: ((changed: ChangedEntities) => void) | null = null;
  #origin: ChangeOrigin = 'local';
  #tag: string | null = null;
  #notifyQueued = false;
  #batchDepth = 0;
  /**
   * Rollback log of the outermost batch. Entities first changed inside the batch are already in
   * `#changed` with their value from before it (after the first `#changedAtBatchStart` entries), so
   * only entities changed both before and inside the batch need an entry here.
   */
  #undo: Map<string, Entity | undefined> | null = null;
  #changedAtBatchStart = 0;
  #guard: (() => void) | null = null;
  readonly #bus = new EventBus<StoreCommit>();

  readonly entities: EntityMap;

  constructor() {
    this.entities = new EntityMapView(this, this.#entities);
  }

  get version(): number {
    return this.#version;
  }

  getSnapshot = (): number => this.#version;

  getById = (id: string): Entity | null => this.#entities.get(id) ?? null;

  getByType = (type: string): readonly Entity[] => {
    const bucket = this.#byType.get(type);
    if (bucket === undefined) return EMPTY;
    return (bucket.array ??= Array.from(bucket.entities.values()));
  };

  getAll = (): readonly Entity[] => (this.#allArray ??= Array.from(this.#entities.values()));

  /** Counts per type without building arrays (for `inspect()`). */
  countsByType(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [type, bucket] of this.#byType) if (bucket.entities.size > 0) counts[type] = bucket.entities.size;
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
      this.#changedAtBatchStart = this.#changed.size;
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

  set(id: string, entity: Entity): void {
    this.#guard?.();
    assertEntity(id, entity);
    this.#write(id, entity);
  }

  delete(id: string): boolean {
    this.#guard?.();
    if (!this.#entities.has(id)) return false;
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
    for (const entity of entities) this.#index(entity.id, undefined, entity);
    this.#version++;
  }

  /**
   * Applies writes that did not originate here (server state, another tab's writes) as one commit
   * with origin `remote`, so the flusher does not log them as local mutations.
   */
  applyExternal(writes: Iterable<readonly [id: string, entity: Entity | undefined]>, tag: string | null = null): void {
    this.notifyNow();
    this.#origin = 'remote';
    this.#tag = tag;
    try {
      for (const [id, entity] of writes) {
        if (entity || this.#entities.has(id)) this.#write(id, entity);
      }
      this.notifyNow();
    } finally {
      this.#origin = 'local';
      this.#tag = null;
    }
  }

  /**
   * Receives, once per local commit, the changed entities with their earlier values. The map is
   * handed over (the store keeps no reference), so the flusher can adopt it without copying.
   */
  onLocalCommit(handler: (changed: ChangedEntities) => void): void {
    this.#localCommitHandler = handler;
  }

  /** Delivers any queued notification synchronously. */
  notifyNow(): void {
    if (this.#changed.size === 0) return;
    const changed = this.#changed;
    this.#changed = new Map();
    const changes: EntityChange[] = [];
    for (const [id, before] of changed) {
      const after = this.#entities.get(id);
      if (before !== after) changes.push({ id, before, after });
    }
    if (changes.length > 0) this.#bus.emit({ origin: this.#origin, tag: this.#tag, version: this.#version, changes });
    if (this.#origin === 'local') this.#localCommitHandler?.(changed);
  }

  #write(id: string, next: Entity | undefined): void {
    const prev = this.#index(id, this.#entities.get(id), next);
    this.#version++;
    if (!this.#changed.has(id)) this.#changed.set(id, prev);
    else if (this.#undo !== null && !this.#undo.has(id)) this.#undo.set(id, prev);
    if (this.#batchDepth === 0 && !this.#notifyQueued && this.#origin === 'local') {
      this.#notifyQueued = true;
      queueMicrotask(() => {
        this.#notifyQueued = false;
        this.notifyNow();
      });
    }
  }

  #index(id: string, prev: Entity | undefined, next: Entity | undefined): Entity | undefined {
    if (next) this.#entities.set(id, next);
    else this.#entities.delete(id);
    if (prev && (!next || prev.type !== next.type)) {
      const bucket = this.#byType.get(prev.type);
      if (bucket) {
        bucket.entities.delete(id);
        bucket.array = null;
      }
    }
    if (next) {
      let bucket = this.#byType.get(next.type);
      if (bucket === undefined) this.#byType.set(next.type, (bucket = { entities: new Map(), array: null }));
      bucket.entities.set(id, next);
      bucket.array = null;
    }
    this.#allArray = null;
    return prev;
  }

  #rollback(): void {
    const undo = this.#undo;
    if (!undo) return;
    this.#undo = null;
    const firstInBatch: [string, Entity | undefined][] = [];
    let index = 0;
    for (const entry of this.#changed) if (index++ >= this.#changedAtBatchStart) firstInBatch.push(entry);
    for (const [id, before] of firstInBatch) {
      this.#index(id, this.#entities.get(id), before);
      this.#changed.delete(id);
    }
    for (const [id, before] of undo) this.#index(id, this.#entities.get(id), before);
    this.#version++;
  }
}

class EntityMapView implements EntityMap {
  readonly #store: MemoryStore;
  readonly #map: Map<string, Entity>;

  constructor(store: MemoryStore, map: Map<string, Entity>) {
    this.#store = store;
    this.#map = map;
  }

  get size(): number {
    return this.#map.size;
  }

  get [Symbol.toStringTag](): string {
    return 'EntityMap';
  }

  get(id: string): Entity | undefined {
    return this.#map.get(id);
  }

  has(id: string): boolean {
    return this.#map.has(id);
  }

  set(id: string, entity: Entity): this {
    this.#store.set(id, entity);
    return this;
  }

  delete(id: string): boolean {
    return this.#store.delete(id);
  }

  clear(): void {
    const ids = Array.from(this.#map.keys());
    this.#store.batch(() => {
      for (const id of ids) this.#store.delete(id);
    });
  }

  keys(): MapIterator<string> {
    return this.#map.keys();
  }

  values(): MapIterator<Entity> {
    return this.#map.values();
  }

  entries(): MapIterator<[string, Entity]> {
    return this.#map.entries();
  }

  forEach(callback: (entity: Entity, id: string, map: ReadonlyMap<string, Entity>) => void, thisArg?: unknown): void {
    for (const [id, entity] of this.#map) callback.call(thisArg, entity, id, this);
  }

  [Symbol.iterator](): MapIterator<[string, Entity]> {
    return this.#map.entries();
  }
}
