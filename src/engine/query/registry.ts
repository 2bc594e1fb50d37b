import { KalphiteError } from '../errors.js';
import type { Entity } from '../store/entity.js';
import { SecondaryIndex, type IndexEntry, type RouteWatcher } from './secondary-index.js';
import type { CountOptions, QueryOptions } from './options.js';
import { checkDataPath, compilePlan, dataField, SPACE_FIELD, type QueryPlan } from './plan.js';
import { QueryCount, QueryRows, type Deliverable, type QueryHost } from './live-query.js';
import type { Bucketed, TypeBucket } from '../store/type-bucket.js';

/** Indexes to build at load, per type: a field (`'filePath'`) or fields together (`['reviewId', 'filePath']`). */
export type IndexDeclarations = Readonly<Record<string, readonly (string | readonly string[])[]>>;

/** Where a watcher is routed: an index entry, or every write of its type (no equality to route by). */
type Route = { readonly index: SecondaryIndex; readonly key: unknown; readonly entry: IndexEntry } | null;

/** One type's indexes and the watchers that hear every write of the type. */
class TypeRoutes {
  readonly indexes: SecondaryIndex[] = [];
  readonly scans = new Set<RouteWatcher>();
  readonly routes = new Map<RouteWatcher, Route>();

  index(fields: readonly string[]): SecondaryIndex | undefined {
    const name = SecondaryIndex.nameOf(fields);
    return this.indexes.find((index) => SecondaryIndex.nameOf(index.fields) === name);
  }
}

/**
 * Live queries and counts over one store, and the secondary indexes that route writes to them.
 * The store calls `placed` with every value it puts in a slot (a write, a load, a rollback) and
 * `deliver` at the end of each commit: a write reaches only the indexes of its type and the
 * watchers of its own index entries, so a write costs the queries it enters, leaves or moves in,
 * not every query open. Nothing here exists until a query, an index or a per-space read asks.
 */
export class QueryRegistry implements QueryHost {
  readonly #types = new Map<string, TypeRoutes>();
  readonly #bucketOf: (type: string) => TypeBucket | undefined;
  #pending: Deliverable[] = [];
  #indexCount = 0;

  constructor(bucketOf: (type: string) => TypeBucket | undefined, declared: IndexDeclarations = {}) {
    this.#bucketOf = bucketOf;
    for (const [type, list] of Object.entries(declared)) {
      if (!Array.isArray(list)) throw new KalphiteError('invalid-options', `Option indexes.${type} must be an array of fields (or arrays of fields).`);
      for (const fields of list as readonly (string | readonly string[])[]) {
        const paths = typeof fields === 'string' ? [fields] : fields;
        if (!Array.isArray(paths) || paths.length === 0) throw new KalphiteError('invalid-options', `Option indexes.${type} lists an empty index.`);
        this.#ensureIndex(type, paths.map((path) => dataField(checkDataPath(path, `Option indexes.${type}`))), true);
      }
    }
  }

  /** A value was put in `slot` (`before` → `after`; undefined where it did not exist). */
  placed(slot: Bucketed, before: Entity | undefined, after: Entity | undefined): void {
    if (before !== undefined && after !== undefined && before.type === after.type) {
      const routes = this.#types.get(after.type);
      if (routes === undefined) return;
      for (const index of routes.indexes) index.update(slot, before, after);
      for (const watcher of routes.scans) watcher.changed(before, after);
      return;
    }
    if (before !== undefined) {
      const routes = this.#types.get(before.type);
      if (routes !== undefined) {
        for (const index of routes.indexes) index.remove(slot, before);
        for (const watcher of routes.scans) watcher.changed(before, undefined);
      }
    }
    if (after !== undefined) {
      const routes = this.#types.get(after.type);
      if (routes !== undefined) {
        for (const index of routes.indexes) index.add(slot, after);
        for (const watcher of routes.scans) watcher.changed(undefined, after);
      }
    }
  }

  /** Tells each query and count the current commit changed (once each). */
  deliver(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    for (const watcher of pending) watcher.deliver();
  }

  queue(watcher: Deliverable): void {
    this.#pending.push(watcher);
  }

  detach(watcher: RouteWatcher): void {
    for (const routes of this.#types.values()) {
      if (!routes.routes.has(watcher)) continue;
      const route = routes.routes.get(watcher)!;
      routes.routes.delete(watcher);
      if (route === null) routes.scans.delete(watcher);
      else {
        route.entry.watchers.delete(watcher);
        route.index.release(route.key, route.entry);
      }
      return;
    }
  }

  query<E extends Entity>(type: string, options?: QueryOptions<E>): QueryRows<E> {
    const plan = compilePlan(type, options as QueryOptions | undefined);
    const rows = this.#initial(plan);
    rows.sort(plan.compare);
    const query = new QueryRows<E>(plan, this, rows);
    this.#attach(plan, query);
    return query;
  }

  count(type: string, options?: CountOptions): QueryCount {
    const plan = compilePlan(type, options);
    const count = new QueryCount(plan, this, this.#initial(plan).length);
    this.#attach(plan, count);
    return count;
  }

  /** The entities of `type` in `space`, in insertion order; the same array until one of them changes. */
  inSpace(type: string, space: string): readonly Entity[] {
    const entry = this.#ensureIndex(type, [SPACE_FIELD]).ensure(space);
    if (entry.array === null) {
      const array: Entity[] = [];
      for (const slot of entry.slots) if (slot !== null) array.push(slot.entity!);
      entry.array = array;
    }
    return entry.array;
  }

  /** The entities the plan matches, unsorted: from its index entry when it has equalities, else the whole type. */
  #initial(plan: QueryPlan): Entity[] {
    const rows: Entity[] = [];
    const { matches } = plan;
    const route = this.#routeOf(plan);
    if (route === null) {
      this.#bucketOf(plan.type)?.forEachSlot((slot) => {
        if (matches(slot.entity!)) rows.push(slot.entity!);
      });
      return rows;
    }
    const entry = route.index.ensure(route.key);
    for (const slot of entry.slots) if (slot !== null && matches(slot.entity!)) rows.push(slot.entity!);
    return rows;
  }

  #attach(plan: QueryPlan, watcher: RouteWatcher): void {
    const routes = this.#routes(plan.type);
    const route = this.#routeOf(plan);
    if (route === null) {
      routes.scans.add(watcher);
      routes.routes.set(watcher, null);
      return;
    }
    const entry = route.index.ensure(route.key);
    entry.watchers.add(watcher);
    routes.routes.set(watcher, { index: route.index, key: route.key, entry });
  }

  /**
   * The index a plan is answered from: one over a subset of its equality fields (the most fields
   * wins; the coarse space index only when space is all it asks), else a new one over its `data`
   * equalities (or its space), built once from the type's entities.
   */
  #routeOf(plan: QueryPlan): { readonly index: SecondaryIndex; readonly key: unknown } | null {
    if (plan.equalities.length === 0) return null;
    const asked = new Map(plan.equalities.map((e) => [e.field, e.value]));
    const dataFields = plan.equalities.filter((e) => e.field !== SPACE_FIELD).map((e) => e.field);
    let best: SecondaryIndex | undefined;
    for (const index of this.#types.get(plan.type)?.indexes ?? []) {
      if (!index.fields.every((field) => asked.has(field))) continue;
      if (dataFields.length > 0 && index.fields.length === 1 && index.fields[0] === SPACE_FIELD) continue;
      if (best === undefined || index.fields.length > best.fields.length) best = index;
    }
    const index = best ?? this.#ensureIndex(plan.type, dataFields.length > 0 ? dataFields : [SPACE_FIELD]);
    return { index, key: index.keyOfValues(index.fields.map((field) => asked.get(field))) };
  }

  #routes(type: string): TypeRoutes {
    let routes = this.#types.get(type);
    if (routes === undefined) this.#types.set(type, (routes = new TypeRoutes()));
    return routes;
  }

  /** The index of `fields`: a declared one complete, else partial (see SecondaryIndex). */
  #ensureIndex(type: string, fields: readonly string[], complete = false): SecondaryIndex {
    const routes = this.#routes(type);
    const existing = routes.index(fields);
    if (existing !== undefined) return existing;
    const scan = (fn: (slot: Bucketed) => void) => this.#bucketOf(type)?.forEachSlot(fn);
    const index = new SecondaryIndex(fields, this.#indexCount++, complete ? null : scan);
    if (complete) index.build(scan);
    routes.indexes.push(index);
    return index;
  }
}
