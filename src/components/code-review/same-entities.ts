import type { Entity } from '../../engine/index.js';

/** Whether two lists hold the same entity objects in the same order (for memoised rows). */
export function sameEntities(a: readonly Entity[] | undefined, b: readonly Entity[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((entity, i) => entity === b[i]);
}
