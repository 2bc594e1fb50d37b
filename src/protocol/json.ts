export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

const MAX_DEPTH = 64;

/**
 * Whether `value` survives a JSON round trip unchanged: plain objects and arrays of strings,
 * finite numbers, booleans and null (undefined object properties are dropped, as JSON does).
 * Runs on every store write, so it is written for speed.
 */
export function isJsonValue(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object') {
    return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
  }
  if (value === null) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined || !isJsonValue(item, depth + 1)) return false;
    }
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    switch (typeof item) {
      case 'string':
      case 'boolean':
      case 'undefined':
        continue;
      case 'number':
        if (Number.isFinite(item)) continue;
        return false;
      case 'object':
        if (item === null || isJsonValue(item, depth + 1)) continue;
        return false;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Whether `value` is an object literal (or has no prototype), not a class instance such as a Date.
 * `constructor === Object` is answered by an inline cache where `getPrototypeOf` is a call costing
 * as much as a whole Map.set; an own `constructor` key falls through to the exact check.
 */
export function isPlainObject(value: object): boolean {
  if ((value as { constructor?: unknown }).constructor === Object) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values, ignoring object key order (PostgreSQL's jsonb reorders keys). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).filter((key) => left[key] !== undefined);
  if (keys.length !== Object.keys(right).filter((key) => right[key] !== undefined).length) return false;
  return keys.every((key) => jsonEqual(left[key], right[key]));
}
