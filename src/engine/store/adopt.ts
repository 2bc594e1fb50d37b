import { jsonEqual } from '../../protocol/json.js';
import { withFields } from '../../protocol/patch.js';
import { DEFAULT_SPACE } from '../../protocol/space.js';
import type { Entity } from './entity.js';
import type { ChangeOrigin, MemoryStore } from './store.js';

/** An entity's value from outside this engine: undefined or null, deleted. */
export type ExternalChange = readonly [id: string, entity: Entity | null | undefined];

/**
 * What this engine's local writes on their way (not yet in the local db) did to one entity: the
 * top-level data fields they changed, or `whole` when they replace it (a create, a delete, a type
 * change, data that is not an object).
 */
export type LocalWrite = ReadonlySet<string> | 'whole';

/** The local write on its way for an id, or undefined when there is none. */
export type LocalWrites = (id: string) => LocalWrite | undefined;

/**
 * The one rule for values from outside memory — a pull, another tab, the local db after a
 * takeover: adopt each, with this engine's local writes on their way put back on top (a rebase):
 * the fields they changed keep the local value, every other field takes the incoming one. A local
 * write that replaces the entity whole (a create, a delete) keeps memory as it is until the server
 * has answered; an incoming delete wins at once (tombstones are final). What memory already holds
 * is skipped. One commit; returns the ids adopted.
 */
export function adoptExternal(
  store: MemoryStore,
  changes: Iterable<ExternalChange>,
  localWrite: LocalWrites,
  origin: Exclude<ChangeOrigin, 'local'>,
): string[] {
  const writes: [string, Entity | undefined][] = [];
  for (const [id, entity] of changes) {
    const current = store.entities.get(id);
    let next = entity ?? undefined;
    const write = localWrite(id);
    if (write !== undefined && next !== undefined) {
      if (write === 'whole' || current === undefined) continue;
      const rebased = withFields(next, current, write);
      if (rebased === null) continue;
      next = rebased;
    } else if (write === 'whole') continue;
    if (!jsonEqual(current, next)) writes.push([id, next]);
  }
  store.applyExternal(writes, origin);
  return writes.map(([id]) => id);
}

/** Makes memory equal a snapshot of the truth (`entities`) by the same rule, deleting what it lacks. */
export function adoptSnapshot(store: MemoryStore, entities: readonly Entity[], localWrite: LocalWrites, origin: Exclude<ChangeOrigin, 'local'>): void {
  const truth = new Map(entities.map((e) => [e.id, e]));
  const changes: ExternalChange[] = [...truth];
  for (const id of store.entities.keys()) if (!truth.has(id)) changes.push([id, undefined]);
  adoptExternal(store, changes, localWrite, origin);
}

/**
 * Adopts one space's server values by the one rule, except where memory holds the id in another
 * space (ids are the app's to keep unique): those stay out of memory, and `heldAside` hears each.
 */
export function adoptSpace(
  store: MemoryStore,
  space: string,
  changes: Iterable<ExternalChange>,
  localWrite: LocalWrites,
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
  return adoptExternal(store, accepted, localWrite, 'server');
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
  localWrite: LocalWrites,
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
  return adoptExternal(store, accepted, localWrite, origin);
}
