import { sha256 } from '@noble/hashes/sha2.js';
import { idProblem } from './entity.js';
import { ProtocolError } from './errors.js';
import { invalid } from './fields.js';
import { isRecord, utf8Length, type JsonValue } from './json.js';

/**
 * The divergence check's wire vocabulary (Kalphite only; Replicache has no such route).
 *
 * `POST …/digest?space=ID` answers, for one space the caller may read, what the server holds of
 * each entity type without sending any entity: a count and a digest. A client computes the same
 * digest over what it holds and compares. Asked for one type, it answers that type's ids with a hash
 * each, page by page, so a client can name the ids that differ.
 *
 * How a digest is computed, the same on both sides:
 * - An entity's **text** is its value as PostgreSQL prints `jsonb` (`value::text`): object keys
 *   sorted by their UTF-8 length, then bytewise; `": "` after a key and `", "` between items;
 *   strings escaped as JSON does; numbers in plain decimal (`1e21` prints as
 *   `1000000000000000000000`). `entityText` writes it in JavaScript.
 * - An entity's **hash** is the first 8 bytes of SHA-256 over the text's UTF-8 bytes, as 16
 *   lowercase hex digits.
 * - A type's **digest** is the sum of its entities' hashes read as unsigned 64-bit integers, modulo
 *   2^64, as 16 lowercase hex digits: independent of order, so neither side sorts anything.
 * Deleted entities (tombstones) are not part of it.
 */

export const DIGEST_VERSION = 1;

/** Ids (with their hashes) per page of a type's drill-down, unless the request asks for fewer. */
export const DIGEST_PAGE_SIZE = 5000;
export const MAX_DIGEST_PAGE_SIZE = 10_000;

/** Every type's digest of a space, or (with `type`) one page of that type's ids with their hashes. */
export type DigestRequest =
  | { readonly digestVersion: 1 }
  | {
      readonly digestVersion: 1;
      readonly type: string;
      /** The page starts after this id (the last id of the page before); absent: from the first. */
      readonly after?: string;
      readonly limit?: number;
    };

export interface TypeDigest {
  readonly type: string;
  readonly count: number;
  readonly digest: string;
}

/** Every entity type the server holds in a space, at one version of it. */
export interface SpaceDigest {
  readonly space: string;
  /** The space's version the digests were read at (0: nothing committed yet). */
  readonly version: number;
  readonly types: readonly TypeDigest[];
}

export interface EntityHash {
  readonly id: string;
  readonly hash: string;
}

/** One page of a type's ids with their hashes, in the server's key order. */
export interface TypeHashes {
  readonly space: string;
  readonly version: number;
  readonly type: string;
  readonly hashes: readonly EntityHash[];
  /** More ids follow: ask again with `after` set to the last id of this page. */
  readonly more: boolean;
}

export type DigestResponse = SpaceDigest | TypeHashes;

/** The server's check of a digest request body. */
export function parseDigestRequest(body: unknown): DigestRequest {
  if (!isRecord(body)) throw invalid('the digest body must be a JSON object');
  if (body.digestVersion !== DIGEST_VERSION) {
    throw new ProtocolError('unsupported-version', `digestVersion ${JSON.stringify(body.digestVersion)} is not supported (this server speaks ${DIGEST_VERSION}).`);
  }
  if (body.type === undefined) {
    if (body.after !== undefined || body.limit !== undefined) throw invalid('after and limit page one type: name it in type');
    return { digestVersion: DIGEST_VERSION };
  }
  // Types and ids are compared with stored text in SQL: they must be text PostgreSQL can hold.
  const typeProblem = idProblem(body.type, 'type');
  if (typeProblem) throw invalid(typeProblem);
  const afterProblem = body.after === undefined ? null : idProblem(body.after, 'after');
  if (afterProblem) throw invalid(afterProblem);
  const { limit } = body;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_DIGEST_PAGE_SIZE)) {
    throw invalid(`limit must be an integer from 1 to ${MAX_DIGEST_PAGE_SIZE}`);
  }
  return {
    digestVersion: DIGEST_VERSION,
    type: body.type as string,
    ...(body.after !== undefined && { after: body.after as string }),
    ...(limit !== undefined && { limit }),
  };
}

const HEX64 = /^[0-9a-f]{16}$/;

const bad = (message: string) => new ProtocolError('invalid-response', `Invalid digest response: ${message}.`);

/** The client's check of a space's digest from the server. */
export function parseSpaceDigest(body: unknown): SpaceDigest {
  if (!isRecord(body)) throw bad('not a JSON object');
  const { space, version } = head(body);
  if (!Array.isArray(body.types)) throw bad('types must be an array');
  const types = body.types.map((item: unknown, index: number): TypeDigest => {
    if (!isRecord(item) || typeof item.type !== 'string' || !isCount(item.count) || typeof item.digest !== 'string' || !HEX64.test(item.digest)) {
      throw bad(`types[${index}] must be { type, count, digest } with a count and 16 hex digits`);
    }
    return { type: item.type, count: item.count, digest: item.digest };
  });
  return { space, version, types };
}

/** The client's check of one page of a type's hashes from the server. */
export function parseTypeHashes(body: unknown): TypeHashes {
  if (!isRecord(body)) throw bad('not a JSON object');
  const { space, version } = head(body);
  if (typeof body.type !== 'string') throw bad('type must be a string');
  if (!Array.isArray(body.hashes)) throw bad('hashes must be an array');
  const hashes = body.hashes.map((item: unknown, index: number): EntityHash => {
    if (!isRecord(item) || typeof item.id !== 'string' || typeof item.hash !== 'string' || !HEX64.test(item.hash)) throw bad(`hashes[${index}] must be { id, hash } with 16 hex digits`);
    return { id: item.id, hash: item.hash };
  });
  if (typeof body.more !== 'boolean') throw bad('more must be a boolean');
  return { space, version, type: body.type, hashes, more: body.more };
}

function head(body: Record<string, unknown>): { space: string; version: number } {
  if (typeof body.space !== 'string') throw bad('space must be a string');
  if (!isCount(body.version)) throw bad('version must be a non-negative integer');
  return { space: body.space, version: body.version };
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** An entity's text as PostgreSQL prints its `jsonb` value: what its hash is taken over. */
export function entityText(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // Undefined items and fields are left out as JSON leaves them out (an array's become null).
  if (Array.isArray(value)) return `[${(value as readonly (JsonValue | undefined)[]).map((item) => (item === undefined ? 'null' : entityText(item))).join(', ')}]`;
  const object = value as { readonly [key: string]: JsonValue | undefined };
  const keys = Object.keys(object);
  if (keys.length > 1) keys.sort(jsonbKeyOrder);
  let text = '{';
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    text += `${text.length === 1 ? '' : ', '}${JSON.stringify(key)}: ${entityText(item)}`;
  }
  return `${text}}`;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * jsonb's key order: shorter UTF-8 first, then bytewise (for equal lengths, code point order is
 * byte order). ASCII keys, nearly all of them, compare by length and code unit at once.
 */
function jsonbKeyOrder(a: string, b: string): number {
  if (ASCII.test(a) && ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const lengths = utf8Length(a) - utf8Length(b);
  if (lengths !== 0) return lengths;
  return a === b ? 0 : codePointOrder(a, b);
}

function codePointOrder(a: string, b: string): number {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/**
 * A number as PostgreSQL's numeric prints the decimal JavaScript wrote for it: JavaScript's
 * shortest form, with an exponent (`1.5e-7`, `1e+21`) written out in plain digits.
 */
function numberText(n: number): string {
  const text = JSON.stringify(n);
  const e = text.indexOf('e');
  if (e === -1) return text;
  const sign = text.startsWith('-') ? '-' : '';
  const [whole = '', fraction = ''] = text.slice(sign.length, e).split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(text.slice(e + 1));
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const encoder = new TextEncoder();

/** An entity's hash: the first 8 bytes of SHA-256 over its text, as 16 hex digits. */
export function entityHash(value: JsonValue): string {
  const bytes = sha256(encoder.encode(entityText(value)));
  let hex = '';
  for (let i = 0; i < 8; i++) hex += bytes[i]!.toString(16).padStart(2, '0');
  return hex;
}

const MOD = 1n << 64n;

/** A type's digest from its entities' hashes: their sum as unsigned 64-bit integers, modulo 2^64. */
export function combineHashes(hashes: Iterable<string>): string {
  let sum = 0n;
  for (const hash of hashes) sum = (sum + BigInt(`0x${hash}`)) % MOD;
  return sum.toString(16).padStart(16, '0');
}

/** A digest the server summed in SQL (a decimal, possibly negative: signed 64-bit parts), as 16 hex digits. */
export function digestFromSum(sum: string): string {
  return (((BigInt(sum) % MOD) + MOD) % MOD).toString(16).padStart(16, '0');
}
