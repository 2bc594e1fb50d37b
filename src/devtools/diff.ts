import type { Entity, JsonValue } from '../engine/index.js';

/** One changed leaf between two values: `before`/`after` are undefined where the path is absent. */
export interface DiffLine {
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly before?: JsonValue;
  readonly after?: JsonValue;
}

/**
 * What changed from `before` to `after`, leaf by leaf (`data.message`, `data.tags[2]`), in path
 * order. Objects are walked; arrays by index; anything else compared by value.
 */
export function diffEntities(before: Entity | null, after: Entity | null): DiffLine[] {
  const lines: DiffLine[] = [];
  walk('', toJson(before), toJson(after), lines);
  return lines.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function toJson(entity: Entity | null): JsonValue | undefined {
  // JSON round trip: an entity's optional fields that are undefined disappear, as they do on disk.
  return entity === null ? undefined : (JSON.parse(JSON.stringify(entity)) as JsonValue);
}

function walk(path: string, before: JsonValue | undefined, after: JsonValue | undefined, out: DiffLine[]): void {
  // A container that appears or disappears is walked against an empty one, so its leaves are listed.
  if (before === undefined) before = emptyLike(after);
  if (after === undefined) after = emptyLike(before);
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) walk(path === '' ? key : `${path}.${key}`, before[key], after[key], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(`${path}[${i}]`, before[i], after[i], out);
    return;
  }
  if (before === undefined && after === undefined) return;
  if (before === undefined) out.push({ path: path || '(value)', kind: 'added', after: after! });
  else if (after === undefined) out.push({ path: path || '(value)', kind: 'removed', before });
  else if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: path || '(value)', kind: 'changed', before, after });
}

function emptyLike(value: JsonValue | undefined): JsonValue | undefined {
  return Array.isArray(value) ? [] : isObject(value) ? {} : undefined;
}

function isObject(value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
