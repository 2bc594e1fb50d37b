import type { Entity } from './entity.js';
import { isPlainObject, isRecord, jsonEqual, type JsonValue } from './json.js';
import { spaceProblem } from './space.js';

/**
 * The `patch` mutation: an update of some top-level fields of an entity's `data`, so two writers
 * who change different fields of one entity both keep their change. A field's value is replaced
 * whole (a nested object inside it is not merged). Creates stay `upsert`, deletes `delete`.
 */
export interface PatchArgs {
  readonly id: string;
  /** Must be the stored entity's type: a patch never changes it (that is a whole upsert). */
  readonly type: string;
  /** Fields to set, with their new values. */
  readonly set: Readonly<Record<string, JsonValue>>;
  /** Fields to remove. */
  readonly unset: readonly string[];
  readonly updatedAt?: number;
  readonly space?: string;
  /**
   * The values the writer's edit started from, for the fields it names (a field it lacks was absent).
   * Where the server holds another value, the patch overwrites a write its writer had not seen: the
   * server still applies it (its order decides) and tells that write's writer.
   */
  readonly was?: Readonly<Record<string, JsonValue>>;
}

/**
 * The top-level `data` fields that differ between two values of one entity, or null when the change
 * is not a patch: a create, a delete, a change of type, or data that is not an object on either side.
 */
export function changedFields(before: Entity | undefined, after: Entity | undefined): string[] | null {
  if (before === undefined || after === undefined || before.type !== after.type) return null;
  const from = before.data;
  const to = after.data;
  if (!isFieldMap(from) || !isFieldMap(to)) return null;
  const fields: string[] = [];
  for (const key of Object.keys(to)) if (!jsonEqual(from[key], to[key])) fields.push(key);
  for (const key of Object.keys(from)) if (!(key in to) && from[key] !== undefined) fields.push(key);
  return fields;
}

/**
 * The patch that writes `fields` of `entity` (each set to its value there, or unset where it has
 * none), and with `before` (the value the edit started from) what those fields were.
 */
export function patchOf(entity: Entity, fields: Iterable<string>, before?: Entity | null): PatchArgs {
  const names = [...fields];
  const set = fieldsOf(entity, names);
  const unset = names.filter((field) => !Object.hasOwn(set, field));
  return {
    id: entity.id,
    type: entity.type,
    set,
    unset,
    ...(entity.updatedAt !== undefined && { updatedAt: entity.updatedAt }),
    ...(entity.space !== undefined && { space: entity.space }),
    ...(before && { was: fieldsOf(before, names) }),
  };
}

/** The values `entity` holds for `fields` (those it lacks left out), as own properties even for `__proto__`. */
function fieldsOf(entity: Entity, fields: readonly string[]): Record<string, JsonValue> {
  const data = isFieldMap(entity.data) ? entity.data : {};
  const values: Record<string, JsonValue> = {};
  for (const field of fields) {
    const value = Object.hasOwn(data, field) ? data[field] : undefined;
    if (value !== undefined) Object.defineProperty(values, field, { value, enumerable: true, writable: true, configurable: true });
  }
  return values;
}

/**
 * `base` with `fields` taken from `local` (set where `local` has them, removed where it does not):
 * the one rule for putting local changes on top of a newer server value (a rebase), and for the
 * server applying a patch. Null when `base`'s data is not an object, so no field can be placed.
 */
export function withFields(base: Entity, local: Entity, fields: Iterable<string>): Entity | null {
  if (!isFieldMap(base.data) || !isFieldMap(local.data)) return null;
  return applyPatch(base, patchOf(local, fields));
}

/** `current` with `patch` applied (its data's fields set and removed; its updatedAt taken), or null if its data is not an object. */
export function applyPatch(current: Entity, patch: PatchArgs): Entity | null {
  if (!isFieldMap(current.data)) return null;
  // Spread and defineProperty make own properties even of a key named `__proto__`.
  const data: Record<string, JsonValue | undefined> = { ...current.data, ...patch.set };
  for (const field of patch.unset) delete data[field];
  const updatedAt = patch.updatedAt ?? current.updatedAt;
  return {
    id: current.id,
    type: current.type,
    data,
    ...(updatedAt !== undefined && { updatedAt }),
    ...(current.space !== undefined && { space: current.space }),
  };
}

/** Data a patch can work on: a plain object of fields. */
export function isFieldMap(value: unknown): value is Readonly<Record<string, JsonValue | undefined>> {
  return isRecord(value) && isPlainObject(value);
}

/** Proves that a mutation's args are a patch, or says what is wrong with them. */
export function parsePatchArgs(args: unknown): PatchArgs | string {
  if (!isRecord(args)) return 'patch needs { id, type, set, unset }';
  const { id, type, set, unset, updatedAt, space, was } = args;
  if (typeof id !== 'string' || typeof type !== 'string') return 'patch needs a string id and type';
  if (!isFieldMap(set)) return `patch of ${id}: set must be an object`;
  if (!Array.isArray(unset) || !unset.every((field) => typeof field === 'string')) return `patch of ${id}: unset must be an array of field names`;
  if (unset.some((field) => Object.hasOwn(set, field))) return `patch of ${id}: a field is both set and unset`;
  if (updatedAt !== undefined && (typeof updatedAt !== 'number' || !Number.isFinite(updatedAt))) return `patch of ${id}: updatedAt must be a finite number`;
  if (space !== undefined) {
    const problem = spaceProblem(space, 'its space');
    if (problem) return `patch of ${id}: ${problem}`;
  }
  if (was !== undefined && !isFieldMap(was)) return `patch of ${id}: was must be an object`;
  return {
    id,
    type,
    set: set as Record<string, JsonValue>,
    unset: unset as string[],
    ...(updatedAt !== undefined && { updatedAt: updatedAt as number }),
    ...(space !== undefined && { space: space as string }),
    ...(was !== undefined && { was: was as Record<string, JsonValue> }),
  };
}
