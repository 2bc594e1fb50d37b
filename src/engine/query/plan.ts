import { isPlainObject } from '../../protocol/json.js';
import { spaceProblem } from '../../protocol/space.js';
import { KalphiteError } from '../errors.js';
import type { Entity } from '../store/entity.js';
import type { QueryOptions } from './options.js';
import { compareIds, compareValues, dataPath, fieldReader, type FieldPath } from './values.js';

/** One equality condition: the field's name (`data.filePath`, `space`), its path, its value. */
export interface Equality {
  readonly field: string;
  readonly path: FieldPath;
  readonly value: string | number | boolean | null;
}

/** A query's options, checked once and compiled: equalities sorted by field name, the order as a comparator. */
export interface QueryPlan {
  readonly type: string;
  readonly equalities: readonly Equality[];
  readonly filter: ((entity: Entity) => boolean) | null;
  readonly limit: number;
  matches(entity: Entity): boolean;
  /** Row order: the field (missing first, then null, booleans, numbers, strings, JSON), then id. */
  compare(a: Entity, b: Entity): number;
}

/** The field name of the entity's own `space`, as opposed to a path inside `data`. */
export const SPACE_FIELD = 'space';

/** The field name of a dotted path inside `data`. */
export const dataField = (dotted: string): string => `data.${dotted}`;

export function fieldPath(field: string): FieldPath {
  return field === SPACE_FIELD ? [SPACE_FIELD] : dataPath(field.slice('data.'.length));
}

/** Checks a path the caller gave (`where` key, `orderBy`, an index): non-empty dotted segments. */
export function checkDataPath(path: unknown, what: string): string {
  if (typeof path !== 'string' || path === '' || path.split('.').some((segment) => segment === '')) {
    throw new KalphiteError('invalid-query', `${what} must be a dotted path inside data, like "filePath" or "author.id" (got ${JSON.stringify(path) ?? String(path)}).`);
  }
  return path;
}

/** Throws `invalid-query` naming the option that is wrong. */
export function compilePlan(type: string, options: QueryOptions | undefined): QueryPlan {
  if (typeof type !== 'string' || type === '') throw new KalphiteError('invalid-query', 'A query needs the entity type it reads, a non-empty string.');
  const { where, filter, orderBy, limit, space } = options ?? {};
  const equalities: Equality[] = [];
  if (where !== undefined) {
    if (!isPlainObject(where)) throw new KalphiteError('invalid-query', 'Query option where must be an object of field values, like { filePath: "/src/a.ts" }.');
    for (const [path, value] of Object.entries(where as Record<string, unknown>)) {
      checkDataPath(path, 'A where key');
      if (value === undefined) continue;
      if (!isPrimitive(value)) {
        throw new KalphiteError('invalid-query', `where.${path} must be a string, a finite number, a boolean or null (use filter for anything else).`);
      }
      const field = dataField(path);
      equalities.push({ field, path: fieldPath(field), value });
    }
  }
  if (space !== undefined) {
    const problem = spaceProblem(space, 'Query option space');
    if (problem) throw new KalphiteError('invalid-query', `${problem}.`);
    equalities.push({ field: SPACE_FIELD, path: [SPACE_FIELD], value: space });
  }
  equalities.sort((a, b) => compareIds(a.field, b.field));
  if (filter !== undefined && typeof filter !== 'function') throw new KalphiteError('invalid-query', 'Query option filter must be a function of the entity.');
  const rows = limit ?? Number.POSITIVE_INFINITY;
  if (typeof rows !== 'number' || !(rows >= 0) || (rows !== Number.POSITIVE_INFINITY && !Number.isInteger(rows))) {
    throw new KalphiteError('invalid-query', `Query option limit must be a whole number >= 0 (got ${String(limit)}).`);
  }
  const [orderField, direction] = typeof orderBy === 'string' || orderBy === undefined ? [orderBy, 'asc'] : Array.isArray(orderBy) ? orderBy : [null, null];
  if (orderField !== undefined) checkDataPath(orderField, 'Query option orderBy');
  if (direction !== 'asc' && direction !== 'desc') throw new KalphiteError('invalid-query', 'Query option orderBy must be a path or [path, "asc" | "desc"].');
  const predicate = (filter as ((entity: Entity) => boolean) | undefined) ?? null;
  return {
    type,
    equalities,
    filter: predicate,
    limit: rows,
    matches: matcher(type, equalities, predicate),
    compare: orderField === undefined ? byId : comparator(dataPath(orderField as string), direction === 'desc'),
  };
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

const byId = (a: Entity, b: Entity): number => compareIds(a.id, b.id);

function comparator(path: FieldPath, descending: boolean): (a: Entity, b: Entity) => number {
  const sign = descending ? -1 : 1;
  const read = fieldReader(path);
  return (a, b) => sign * compareValues(read(a), read(b)) || compareIds(a.id, b.id);
}

function matcher(type: string, equalities: readonly Equality[], filter: ((entity: Entity) => boolean) | null): (entity: Entity) => boolean {
  const readers = equalities.map((e) => fieldReader(e.path));
  const values = equalities.map((e) => e.value);
  return (entity) => {
    if (entity.type !== type) return false;
    for (let i = 0; i < readers.length; i++) if (readers[i]!(entity) !== values[i]) return false;
    return filter === null || filter(entity);
  };
}
