import { DEFAULT_SPACE } from '../../protocol/space.js';
import type { Entity } from '../store/entity.js';

/**
 * One persisted write: an upsert carries the entity, a delete carries null. A file of its own so
 * the flusher (in an app's first chunk) does not pull in the local db and PGlite with it.
 */
export interface FlushOp {
  readonly id: string;
  readonly type: string;
  readonly entity: Entity | null;
  /** What the local db held before this write (null: nothing), kept for the change log. */
  readonly before: Entity | null;
  /**
   * An update of an entity the local db held: the top-level data fields it changed, pushed as a
   * `patch` of those fields. Absent: the whole entity (a create, a type change) or a delete.
   */
  readonly fields?: readonly string[];
}

/** The space a write belongs to: its entity's, or for a delete the value it removes. */
export function opSpace(op: FlushOp): string {
  return op.entity?.space ?? op.before?.space ?? DEFAULT_SPACE;
}
