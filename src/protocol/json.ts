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

/** Returned by `storedJsonBound` for a value that is not JSON (as `isJsonValue` would say). */
export const NOT_JSON = -1;
/** Returned by `storedJsonBound` for a value holding a NUL or a lone surrogate, in a string or a key. */
export const UNSTORABLE_TEXT = -2;

/**
 * `isJsonValue` for values that are to be stored, in one walk: it also refuses strings (values and
 * keys) that PostgreSQL cannot store — a NUL, a lone surrogate — and returns an upper bound of the
 * value's JSON size in UTF-8 bytes (every UTF-16 unit counted as its longest escape, 6 bytes), so a
 * size limit costs a length read per string, not a serialisation. Negative: `NOT_JSON` or
 * `UNSTORABLE_TEXT`. Runs on every store write.
 */
export function storedJsonBound(value: unknown, depth = 0): number {
  if (typeof value !== 'object') return primitiveBound(value);
  if (value === null) return 4;
  if (depth > MAX_DEPTH) return NOT_JSON;
  let size = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const itemSize = typeof item === 'object' ? (item === null ? 4 : storedJsonBound(item, depth + 1)) : item === undefined ? NOT_JSON : primitiveBound(item);
      if (itemSize < 0) return itemSize;
      size += itemSize + 1;
    }
    return size;
  }
  if (!isPlainObject(value)) return NOT_JSON;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    // Primitives inline, as in isJsonValue: a call per value would cost as much as the checks.
    let itemSize: number;
    switch (typeof item) {
      case 'undefined':
        continue;
      case 'string':
        itemSize = storableText(item) ? item.length * 6 + 2 : UNSTORABLE_TEXT;
        break;
      case 'boolean':
        itemSize = 5;
        break;
      case 'number':
        itemSize = Number.isFinite(item) ? 24 : NOT_JSON;
        break;
      case 'object':
        itemSize = item === null ? 4 : storedJsonBound(item, depth + 1);
        break;
      default:
        return NOT_JSON;
    }
    if (itemSize < 0) return itemSize;
    if (!storableText(key)) return UNSTORABLE_TEXT;
    size += key.length * 6 + 4 + itemSize;
  }
  return size;
}

function primitiveBound(value: unknown): number {
  if (typeof value === 'string') return storableText(value) ? value.length * 6 + 2 : UNSTORABLE_TEXT;
  if (typeof value === 'boolean') return 5;
  return typeof value === 'number' && Number.isFinite(value) ? 24 : NOT_JSON;
}

/** Text PostgreSQL can store (as `text` and in `jsonb`): no NUL, no lone surrogate. */
export function storableText(text: string): boolean {
  return text.indexOf('\0') === -1 && isWellFormed(text);
}

/** Well-formed UTF-16: no lone surrogate. `isWellFormed` where the runtime has it (ES2024). */
const isWellFormed: (text: string) => boolean =
  typeof String.prototype.isWellFormed === 'function' ? (text) => text.isWellFormed() : (text) => !/\p{Surrogate}/u.test(text);

/** The exact size of well-formed `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A surrogate pair is 4 bytes: 2 for each half.
    if (unit >= 0x80) bytes += unit >= 0x800 && (unit < 0xd800 || unit > 0xdfff) ? 2 : 1;
  }
  return bytes;
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
