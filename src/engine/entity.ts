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
 * Runs on every write, so it is written for speed: named fields first, then one walk of `data`
 * (the whole object only when it carries keys beyond the four known ones).
 */
export function assertEntity(key: unknown, entity: unknown): asserts entity is Entity {
  if (typeof entity !== 'object' || entity === null || !isPlainObject(entity)) {
    throw new KalphiteError('invalid-entity', `Entity for key "${String(key)}" must be a plain object with string id and type.`);
  }
  const { id, type, data, updatedAt } = entity as { id?: unknown; type?: unknown; data?: unknown; updatedAt?: unknown };
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') {
    throw new KalphiteError('invalid-entity', `Entity for key "${String(key)}" must have a non-empty string id and type.`);
  }
  if (key !== id) {
    throw new KalphiteError('id-mismatch', `Key "${String(key)}" does not match the entity's id "${id}".`);
  }
  if (data === undefined) {
    throw new KalphiteError('invalid-entity', `Entity "${id}" has no data (use null or {} for none).`);
  }
  if (updatedAt !== undefined && (typeof updatedAt !== 'number' || !Number.isFinite(updatedAt))) {
    throw new KalphiteError('invalid-entity', `Entity "${id}" has an updatedAt that is not a finite number.`);
  }
  let keys = 0;
  for (const _ in entity) keys++;
  const onlyKnownKeys = keys === (updatedAt === undefined ? 3 : 4);
  if (!(onlyKnownKeys ? isJson(data, 1) : isJson(entity, 0))) {
    throw new KalphiteError(
      'not-serializable',
      `Entity "${id}" holds a value JSON cannot store (a function, class instance, NaN, bigint, undefined in an array, or a cycle).`,
    );
  }
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isJson(value: unknown, depth: number): boolean {
  if (typeof value !== 'object') {
    return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  }
  if (value === null) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined || !isJson(item, depth + 1)) return false;
    }
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    switch (typeof item) {
      case 'string':
      case 'boolean':
      case 'undefined': // dropped by JSON, as a plain object literal would expect
        continue;
      case 'number':
        if (Number.isFinite(item)) continue;
        return false;
      case 'object':
        if (item === null || isJson(item, depth + 1)) continue;
        return false;
      default:
        return false;
    }
  }
  return true;
}
