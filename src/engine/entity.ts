import { KalphiteError } from './errors.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/** One record in the store. `updatedAt` is the writer's clock: data to show, never the order of writes. */
export interface Entity<TData = JsonValue> {
  readonly id: string;
  readonly type: string;
  readonly data: TData;
  readonly updatedAt?: number;
}

const MAX_DEPTH = 64;

/**
 * Throws a typed error unless `entity` is a well-formed entity stored under `key`.
 * Runs on every write, so it walks the value once with cheap `typeof` checks.
 */
export function assertEntity(key: unknown, entity: unknown): asserts entity is Entity {
  if (typeof entity !== 'object' || entity === null || Array.isArray(entity)) {
    throw new KalphiteError('invalid-entity', `Entity for key "${String(key)}" must be an object with string id and type.`);
  }
  const { id, type, updatedAt } = entity as { id?: unknown; type?: unknown; updatedAt?: unknown };
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') {
    throw new KalphiteError('invalid-entity', `Entity for key "${String(key)}" must have a non-empty string id and type.`);
  }
  if (key !== id) {
    throw new KalphiteError('id-mismatch', `Key "${String(key)}" does not match the entity's id "${id}".`);
  }
  if (updatedAt !== undefined && (typeof updatedAt !== 'number' || !Number.isFinite(updatedAt))) {
    throw new KalphiteError('invalid-entity', `Entity "${id}" has an updatedAt that is not a finite number.`);
  }
  if (!isJson(entity, 0)) {
    throw new KalphiteError('not-serializable', `Entity "${id}" holds a value JSON cannot store (a function, class instance, NaN, bigint, undefined in an array, or a cycle).`);
  }
}

function isJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined || !isJson(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        // An undefined property is dropped by JSON, as a plain object literal would expect.
        if (item !== undefined && !isJson(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
