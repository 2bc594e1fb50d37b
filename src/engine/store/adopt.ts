import { jsonEqual } from '../../protocol/json.js';
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
