import type { Entity } from '../src/engine/index.js';

/** The reference design the engine core issue named: a Map, a per-type index, a dirty set and a version. */
export class ReferenceStore {
  readonly entities = new Map<string, Entity>();
  readonly #byType = new Map<string, Set<string>>();
  readonly dirty = new Set<string>();
  version = 0;

  set(id: string, entity: Entity): void {
    const previous = this.entities.get(id);
    this.entities.set(id, entity);
    if (previous?.type !== entity.type) {
      if (previous) this.#byType.get(previous.type)?.delete(id);
      let ids = this.#byType.get(entity.type);
      if (!ids) this.#byType.set(entity.type, (ids = new Set()));
      ids.add(id);
    }
    this.dirty.add(id);
    this.version++;
  }
}
