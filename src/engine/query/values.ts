import type { Entity } from '../store/entity.js';

/**
 * Reading a field of an entity for a query, and the one order queries sort by. A field is a path
 * from the entity itself (`['data', 'filePath']`, `['space']`), compiled once per query, so a read
 * is a few property loads with no string splitting.
 */
export type FieldPath = readonly string[];

/** The value at `path` in `entity`, or undefined where a step is missing or not an object. */
export function readField(entity: Entity, path: FieldPath): unknown {
  let value: unknown = entity;
  for (let i = 0; i < path.length; i++) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[path[i]!];
  }
  return value;
}

/** A reader of one path, compiled once: the usual one- and two-step paths read without a loop. */
export function fieldReader(path: FieldPath): (entity: Entity) => unknown {
  if (path.length === 1) {
    const name = path[0]!;
    return (entity) => (entity as unknown as Record<string, unknown>)[name];
  }
  if (path.length === 2) {
    const [outer, inner] = path as readonly [string, string];
    return (entity) => {
      const value = (entity as unknown as Record<string, unknown>)[outer];
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[inner] : undefined;
    };
  }
  return (entity) => readField(entity, path);
}

/** A dotted path inside `data` (`'author.id'`) as a path from the entity. */
export function dataPath(dotted: string): FieldPath {
  return ['data', ...dotted.split('.')];
}

/**
 * The rank of a value's kind in the sort order: missing, null, false/true, numbers, strings, then
 * arrays and objects (by their JSON text). A total order over everything JSON holds, so a field
 * holding mixed kinds still sorts the same way every time.
 */
function rank(value: unknown): number {
  switch (typeof value) {
    case 'undefined':
      return 0;
    case 'boolean':
      return 2;
    case 'number':
      return 3;
    case 'string':
      return 4;
    default:
      return value === null ? 1 : 5;
  }
}

/** Compares two field values by the order above; strings by UTF-16 code units (locale-free, stable). */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === typeof b && (typeof a === 'number' || typeof a === 'string')) return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 2) return a === b ? 0 : a ? 1 : -1;
  if (ra === 5) {
    const ja = JSON.stringify(a);
    const jb = JSON.stringify(b);
    return ja < jb ? -1 : ja > jb ? 1 : 0;
  }
  return 0;
}

/** Ties are broken by id, so every result has one order whatever the writes' order. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
