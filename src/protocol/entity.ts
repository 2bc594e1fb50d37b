import { isPlainObject, NOT_JSON, storableText, storedJsonBound, utf8Length, type JsonValue } from './json.js';
import { spaceProblem } from './space.js';

/** One record. `updatedAt` is the writer's clock: data to show, never the order of writes. */
export interface Entity<TData = JsonValue> {
  readonly id: string;
  readonly type: string;
  readonly data: TData;
  readonly updatedAt?: number;
  /**
   * The space it belongs to, for good (moving is a delete and a create under a new id). The engine
   * fills in its `defaultSpace` on a create; the server stores the space the push named.
   */
  readonly space?: string;
}

export type EntityProblemCode = 'invalid-entity' | 'id-mismatch' | 'not-serializable' | 'entity-too-large';

export interface EntityProblem {
  readonly code: EntityProblemCode;
  readonly message: string;
}

/**
 * The longest id (entity, type, client, client group) in UTF-16 units. PostgreSQL's btree index
 * refuses a key over about 2,700 bytes; 500 units are at most 1,500 UTF-8 bytes.
 */
export const MAX_ID_LENGTH = 500;

/** Why `id` cannot name something the server stores (an entity, a client), or null. */
export function idProblem(id: unknown, what = 'id'): string | null {
  if (typeof id !== 'string' || id === '') return `${what} must be a non-empty string`;
  if (id.length > MAX_ID_LENGTH) return `${what} is ${id.length} characters long; at most ${MAX_ID_LENGTH} can be stored`;
  if (!storableText(id)) return `${what} holds a NUL or a lone surrogate, which PostgreSQL cannot store`;
  return null;
}

/**
 * What is wrong with `entity` as the value stored under `key`, or null when nothing is. Shared by
 * the store (every write) and the server (every mutation), so both refuse the same things: what is
 * not JSON, and what PostgreSQL cannot store (a NUL or a lone surrogate anywhere, an id too long to
 * index). Named fields first, then one walk of `data` (of the whole object only when it has other
 * keys). `maxBytes` bounds the entity's JSON size; the walk's upper bound spares the exact count
 * unless the entity is near the limit.
 */
export function entityProblem(key: unknown, entity: unknown, maxBytes = Number.POSITIVE_INFINITY): EntityProblem | null {
  if (typeof entity !== 'object' || entity === null || !isPlainObject(entity)) {
    return { code: 'invalid-entity', message: `Entity for key "${String(key)}" must be a plain object with string id and type.` };
  }
  const { id, type, data, updatedAt, space } = entity as { id?: unknown; type?: unknown; data?: unknown; updatedAt?: unknown; space?: unknown };
  const named = idProblem(id, 'its id') ?? idProblem(type, 'its type');
  if (named) return { code: 'invalid-entity', message: `Entity for key ${printable(key)}: ${named}.` };
  if (key !== id) return { code: 'id-mismatch', message: `Key ${printable(key)} does not match the entity's id ${printable(id)}.` };
  if (data === undefined) return { code: 'invalid-entity', message: `Entity "${id}" has no data (use null or {} for none).` };
  if (updatedAt !== undefined && (typeof updatedAt !== 'number' || !Number.isFinite(updatedAt))) {
    return { code: 'invalid-entity', message: `Entity "${id}" has an updatedAt that is not a finite number.` };
  }
  const badSpace = space === undefined ? null : spaceProblem(space, 'its space');
  if (badSpace) return { code: 'invalid-entity', message: `Entity "${id}": ${badSpace}.` };
  let keys = 0;
  for (const _ in entity) keys++;
  const onlyKnownKeys = keys === 3 + (updatedAt === undefined ? 0 : 1) + (space === undefined ? 0 : 1);
  // The named fields' bound: id and type as JSON strings, updatedAt, and the keys around them.
  const bound = onlyKnownKeys ? storedJsonBound(data, 1) : storedJsonBound(entity);
  if (bound < 0) {
    return bound === NOT_JSON
      ? { code: 'not-serializable', message: `Entity "${id}" holds a value JSON cannot store (a function, class instance, NaN, bigint, undefined in an array, or a cycle).` }
      : { code: 'not-serializable', message: `Entity "${id}" holds text with a NUL or a lone surrogate (a string cut in the middle of an emoji?), which PostgreSQL cannot store.` };
  }
  if (bound + (onlyKnownKeys ? (id as string).length * 6 + (type as string).length * 6 + (space === undefined ? 0 : (space as string).length + 12) + 80 : 0) > maxBytes) {
    const bytes = utf8Length(JSON.stringify(entity));
    if (bytes > maxBytes) return { code: 'entity-too-large', message: `Entity "${id}" is ${bytes} bytes as JSON; at most ${maxBytes} can be pushed.` };
  }
  return null;
}

/**
 * The entity naming `space` (itself if it already does). Built as a literal when it has only the
 * named fields: V8 gives an object made by spreading and extending a slow shape, which every later
 * read pays for (measured: validating one took 4× as long).
 */
export function withSpace<T extends Entity>(entity: T, space: string): T {
  if (entity.space === space) return entity;
  let keys = 0;
  for (const _ in entity) keys++;
  const named = 3 + (entity.updatedAt === undefined ? 0 : 1) + (entity.space === undefined ? 0 : 1);
  if (keys !== named) return { ...entity, space };
  return (entity.updatedAt === undefined ? { id: entity.id, type: entity.type, data: entity.data, space } : { id: entity.id, type: entity.type, data: entity.data, updatedAt: entity.updatedAt, space }) as T;
}

/**
 * A key for a message, quoted and escaped (a NUL or lone surrogate becomes `\u0000`, `\ud800`), so
 * the message itself can be stored and sent; a long one cut.
 */
function printable(key: unknown): string {
  const text = String(key);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
