import { jsonEqual } from '../../protocol/json.js';
import { DEFAULT_SPACE } from '../../protocol/space.js';
import type { Entity } from './entity.js';
import type { ChangeOrigin, MemoryStore } from './store.js';

/** An entity's value from outside this engine: undefined or null, deleted. */
export type ExternalChange = readonly [id: string, entity: Entity | null | undefined];

/**
 * The one rule for values from outside memory — a pull, another tab, the local db after a
 * takeover: adopt each, unless this engine has a local write of it on its way (memory is the truth
 * for it until the server has answered), and skip what memory already holds. One commit; returns
 * the ids adopted.
 */
export function adoptExternal(
  store: MemoryStore,
  changes: Iterable<ExternalChange>,
  isPending: (id: string) => boolean,
  origin: Exclude<ChangeOrigin, 'local'>,
): string[] {
  const writes: [string, Entity | undefined][] = [];
  for (const [id, entity] of changes) {
    if (!isPending(id) && !jsonEqual(store.entities.get(id), entity ?? undefined)) writes.push([id, entity ?? undefined]);
  }
  store.applyExternal(writes, origin);
  return writes.map(([id]) => id);
}

/** Makes memory equal a snapshot of the truth (`entities`) by the same rule, deleting what it lacks. */
export function adoptSnapshot(store: MemoryStore, entities: readonly Entity[], isPending: (id: string) => boolean, origin: Exclude<ChangeOrigin, 'local'>): void {
  const truth = new Map(entities.map((e) => [e.id, e]));
  const changes: ExternalChange[] = [...truth];
  for (const id of store.entities.keys()) if (!truth.has(id)) changes.push([id, undefined]);
  adoptExternal(store, changes, isPending, origin);
}

/**
 * Adopts one space's server values by the one rule, except where memory holds the id in another
 * space (ids are the app's to keep unique): those stay out of memory, and `heldAside` hears each.
 */
export function adoptSpace(
  store: MemoryStore,
  space: string,
  changes: Iterable<ExternalChange>,
  isPending: (id: string) => boolean,
  heldAside: (id: string, heldIn: string) => void,
): string[] {
  const accepted: ExternalChange[] = [];
  for (const change of changes) {
    const heldIn = store.entities.get(change[0])?.space;
    if (heldIn !== undefined && heldIn !== space) {
      if (change[1]) heldAside(change[0], heldIn);
      continue;
    }
    accepted.push(change);
  }
  return adoptExternal(store, accepted, isPending, 'server');
}


/** Memory lets go of a space (closed, or no longer readable): its entities leave, as one commit. */
export function releaseSpace(store: MemoryStore, space: string): number {
  const gone: [string, undefined][] = [];
  for (const entity of store.entities.values()) if (entity.space === space) gone.push([entity.id, undefined]);
  store.applyExternal(gone, 'server');
  return gone.length;
}

/** The ids memory holds in `space`. */
export function* idsIn(store: MemoryStore, space: string): Generator<string> {
  for (const entity of store.entities.values()) if (entity.space === space) yield entity.id;
}

/**
 * Another tab's changes (or the leader's persisted ones) by the one rule, for the spaces this
 * memory holds only: an entity of a space not open here stays out, and so does one whose id memory
 * holds in another space; a delete removes an id only where it is held (in `space`, when the
 * changes name one).
 */
export function adoptHeld(
  store: MemoryStore,
  changes: Iterable<ExternalChange>,
  isPending: (id: string) => boolean,
  holds: (space: string) => boolean,
  origin: Exclude<ChangeOrigin, 'local'>,
  space?: string,
): string[] {
  const accepted: ExternalChange[] = [];
  for (const change of changes) {
    const [id, entity] = change;
    const current = store.entities.get(id);
    if (entity) {
      const into = entity.space ?? DEFAULT_SPACE;
      if (holds(into) && (current === undefined || (current.space ?? DEFAULT_SPACE) === into)) accepted.push(change);
    } else if (current !== undefined && (space === undefined || current.space === space)) accepted.push(change);
  }
  return adoptExternal(store, accepted, isPending, origin);
}
