import { ProtocolError } from './errors.js';
import { isJsonValue, isRecord, storableText, type JsonValue } from './json.js';
import { invalid, optionalString, requireId } from './fields.js';
import { requireSpace } from './space.js';

/** Replicache pull protocol, version 1. */
export const PULL_VERSION = 1;

/**
 * The server's version when the client last pulled: a number once the client has everything up to
 * it, or `{ order, key }` midway through a paged pull (everything up to `key` within `order`).
 */
export type Cookie = null | number | { readonly order: number; readonly key: string };

export interface PullRequest {
  readonly pullVersion: 1;
  readonly clientGroupID: string;
  readonly profileID: string;
  readonly schemaVersion: string;
  readonly cookie: Cookie;
  /** Kalphite only (Replicache never sends it): at most this many patch entries per response. */
  readonly limit?: number;
  /** Kalphite only: the space, when the body names it too (it must match `?space=`). */
  readonly space?: string;
}

export type PatchOperation =
  | { readonly op: 'put'; readonly key: string; readonly value: JsonValue }
  | { readonly op: 'del'; readonly key: string }
  | { readonly op: 'clear' };

export interface PullResponseOK {
  readonly cookie: Cookie;
  readonly lastMutationIDChanges: Readonly<Record<string, number>>;
  readonly patch: readonly PatchOperation[];
  /** Kalphite only: more pages follow; pull again at once with the new cookie. */
  readonly more?: boolean;
  /**
   * Kalphite only (Replicache clients ignore it): the group's mutations the server refused since the
   * cookie, with the reason, on the page that carries `lastMutationIDChanges`.
   */
  readonly refused?: readonly Refusal[];
  /**
   * Kalphite only: the group's writes whose fields a later patch replaced without having seen them
   * (a same-field edit that lost in server order), since the cookie, on that page too.
   */
  readonly overwritten?: readonly Overwritten[];
  /** Kalphite only: whether the caller may write to this space (false: its writes would be refused). */
  readonly writable?: boolean;
}

/** A mutation the server acknowledged without applying it, and why. */
export interface Refusal {
  readonly clientID: string;
  readonly id: number;
  readonly reason: string;
}

/** A mutation (`clientID`, `id`) whose `fields` of entity `key` a later write replaced, unseen. */
export interface Overwritten {
  readonly clientID: string;
  readonly id: number;
  readonly key: string;
  readonly fields: readonly string[];
}

export type PullResponse = PullResponseOK | { readonly error: 'ClientStateNotFound' | 'VersionNotSupported' };

export function parsePullRequest(body: unknown): PullRequest {
  if (!isRecord(body)) throw invalid('the pull body must be a JSON object');
  if (body.pullVersion !== PULL_VERSION) {
    throw new ProtocolError('unsupported-version', `pullVersion ${JSON.stringify(body.pullVersion)} is not supported (this server speaks ${PULL_VERSION}).`);
  }
  const clientGroupID = requireId(body, 'clientGroupID');
  const cookie = parseCookie(body.cookie, invalid);
  const { limit } = body;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1)) throw invalid('limit must be a positive integer');
  const space = body.space === undefined ? undefined : requireSpace(body.space);
  return {
    pullVersion: PULL_VERSION,
    clientGroupID,
    profileID: optionalString(body, 'profileID'),
    schemaVersion: optionalString(body, 'schemaVersion'),
    cookie,
    ...(limit !== undefined && { limit }),
    ...(space !== undefined && { space }),
  };
}

/** The client's check of what the server sent: anything else is refused before it touches memory. */
export function parsePullResponse(body: unknown): PullResponse {
  const bad = (message: string) => new ProtocolError('invalid-response', `Invalid pull response: ${message}.`);
  if (!isRecord(body)) throw bad('not a JSON object');
  if (body.error !== undefined) {
    if (body.error === 'ClientStateNotFound' || body.error === 'VersionNotSupported') return { error: body.error };
    throw bad(`unknown error ${JSON.stringify(body.error)}`);
  }
  const cookie = parseCookie(body.cookie, bad);
  const changes = body.lastMutationIDChanges;
  if (!isRecord(changes)) throw bad('lastMutationIDChanges must be an object');
  for (const [clientID, id] of Object.entries(changes)) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw bad(`lastMutationIDChanges.${clientID} must be a non-negative integer`);
  }
  if (!Array.isArray(body.patch)) throw bad('patch must be an array');
  const patch = body.patch.map((op: unknown, index: number): PatchOperation => {
    if (!isRecord(op)) throw bad(`patch[${index}] must be an object`);
    if (op.op === 'clear') return { op: 'clear' };
    if (typeof op.key !== 'string') throw bad(`patch[${index}].key must be a string`);
    if (op.op === 'del') return { op: 'del', key: op.key };
    if (op.op === 'put' && op.value !== undefined && isJsonValue(op.value)) return { op: 'put', key: op.key, value: op.value as JsonValue };
    throw bad(`patch[${index}] must be a put with a JSON value, a del or a clear`);
  });
  if (body.more !== undefined && typeof body.more !== 'boolean') throw bad('more must be a boolean');
  const refused = body.refused === undefined ? [] : parseRefusals(body.refused, bad);
  const overwritten = body.overwritten === undefined ? [] : parseOverwritten(body.overwritten, bad);
  if (body.writable !== undefined && typeof body.writable !== 'boolean') throw bad('writable must be a boolean');
  return {
    cookie,
    lastMutationIDChanges: changes as Record<string, number>,
    patch,
    ...(body.more === true && { more: true }),
    ...(refused.length > 0 && { refused }),
    ...(overwritten.length > 0 && { overwritten }),
    ...(typeof body.writable === 'boolean' && { writable: body.writable }),
  };
}

function parseRefusals(value: unknown, bad: (message: string) => ProtocolError): Refusal[] {
  if (!Array.isArray(value)) throw bad('refused must be an array');
  return value.map((item: unknown, index: number): Refusal => {
    if (!isRecord(item) || typeof item.clientID !== 'string' || typeof item.reason !== 'string' || typeof item.id !== 'number' || !Number.isSafeInteger(item.id)) {
      throw bad(`refused[${index}] must be { clientID, id, reason }`);
    }
    return { clientID: item.clientID, id: item.id, reason: item.reason };
  });
}

function parseOverwritten(value: unknown, bad: (message: string) => ProtocolError): Overwritten[] {
  if (!Array.isArray(value)) throw bad('overwritten must be an array');
  return value.map((item: unknown, index: number): Overwritten => {
    if (
      !isRecord(item) ||
      typeof item.clientID !== 'string' ||
      typeof item.key !== 'string' ||
      typeof item.id !== 'number' ||
      !Number.isSafeInteger(item.id) ||
      !Array.isArray(item.fields) ||
      !item.fields.every((field) => typeof field === 'string')
    ) {
      throw bad(`overwritten[${index}] must be { clientID, id, key, fields }`);
    }
    return { clientID: item.clientID, id: item.id, key: item.key, fields: item.fields as string[] };
  });
}

function parseCookie(value: unknown, fail: (message: string) => ProtocolError): Cookie {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  // The key is compared with stored keys in SQL: it must be text PostgreSQL can hold.
  if (isRecord(value) && typeof value.order === 'number' && Number.isSafeInteger(value.order) && value.order >= 0 && typeof value.key === 'string' && storableText(value.key)) {
    return { order: value.order, key: value.key };
  }
  throw fail('cookie must be null, a non-negative integer, or { order, key }');
}

/** The version a cookie stands for (0 for none). */
export function cookieOrder(cookie: Cookie): number {
  if (cookie === null) return 0;
  return typeof cookie === 'number' ? cookie : cookie.order;
}
