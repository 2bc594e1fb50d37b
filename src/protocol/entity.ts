import { isJsonValue, isPlainObject, type JsonValue } from './json.js';

/** One record. `updatedAt` is the writer's clock: data to show, never the order of writes. */
export interface Entity<TData = JsonValue> {
  readonly id: string;
  readonly type: string;
  readonly data: TData;
  readonly updatedAt?: number;
}

export type EntityProblemCode = 'invalid-entity' | 'id-mismatch' | 'not-serializable';

export interface EntityProblem {
  readonly code: EntityProblemCode;
  readonly message: string;
}

/**
 * What is wrong with `entity` as the value stored under `key`, or null when nothing is. Shared by
 * the store (every write) and the server (every mutation), so both refuse the same things.
 * Named fields first, then one walk of `data` (of the whole object only when it has other keys).
 */
export function entityProblem(key: unknown, entity: unknown): EntityProblem | null {
  if (typeof entity !== 'object' || entity === null || !isPlainObject(entity)) {
    return { code: 'invalid-entity', message: `Entity for key "${String(key)}" must be a plain object with string id and type.` };
  }
  const { id, type, data, updatedAt } = entity as { id?: unknown; type?: unknown; data?: unknown; updatedAt?: unknown };
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') {
    return { code: 'invalid-entity', message: `Entity for key "${String(key)}" must have a non-empty string id and type.` };
  }
  if (!isWellFormed(id) || !isWellFormed(type)) {
    return { code: 'invalid-entity', message: `Entity for key "${String(key)}" has an id or type holding a lone surrogate, which PostgreSQL cannot store as text.` };
  }
  if (key !== id) return { code: 'id-mismatch', message: `Key "${String(key)}" does not match the entity's id "${id}".` };
  if (data === undefined) return { code: 'invalid-entity', message: `Entity "${id}" has no data (use null or {} for none).` };
  if (updatedAt !== undefined && (typeof updatedAt !== 'number' || !Number.isFinite(updatedAt))) {
    return { code: 'invalid-entity', message: `Entity "${id}" has an updatedAt that is not a finite number.` };
  }
  let keys = 0;
  for (const _ in entity) keys++;
  const onlyKnownKeys = keys === (updatedAt === undefined ? 3 : 4);
  if (!(onlyKnownKeys ? isJsonValue(data, 1) : isJsonValue(entity))) {
    return {
      code: 'not-serializable',
      message: `Entity "${id}" holds a value JSON cannot store (a function, class instance, NaN, bigint, undefined in an array, or a cycle).`,
    };
  }
  return null;
}

/** Well-formed UTF-16: no lone surrogate. `isWellFormed` where the runtime has it (ES2024). */
const isWellFormed: (text: string) => boolean = typeof String.prototype.isWellFormed === 'function'
  ? (text) => text.isWellFormed()
  : (text) => !/\p{Surrogate}/u.test(text);
