import type { Entity } from './entity.js';
import { ProtocolError } from './errors.js';
import { isJsonValue, isRecord, type JsonValue } from './json.js';
import { invalid, optionalString, requireId } from './fields.js';
import { requireSpace } from './space.js';

/** Replicache push protocol, version 1. */
export const PUSH_VERSION = 1;

/**
 * Kalphite's mutators: `upsert` writes a whole entity (a create), `patch` some fields of one
 * (`patch.ts`), `delete` removes one. Any other name is a permanent error: skipped, but acknowledged.
 */
export type MutatorName = 'upsert' | 'patch' | 'delete';

export interface UpsertArgs extends Entity {}
export interface DeleteArgs {
  readonly id: string;
}

export interface Mutation {
  readonly clientID: string;
  /** Sequential per client, from 1. */
  readonly id: number;
  readonly name: string;
  readonly args: JsonValue;
  readonly timestamp: number;
}

export interface PushRequest {
  readonly pushVersion: 1;
  readonly clientGroupID: string;
  readonly profileID: string;
  readonly schemaVersion: string;
  readonly mutations: readonly Mutation[];
  /** Kalphite only: the space, when the body names it too (it must match `?space=`). */
  readonly space?: string;
}

/** 200 with `{}` on success; the protocol's own errors also come back as 200 with `error`. */
export type PushResponse = Record<string, never> | { readonly error: 'ClientStateNotFound' | 'VersionNotSupported' };

/** Proves that a parsed body is a push request, or throws a ProtocolError saying what is wrong. */
export function parsePushRequest(body: unknown): PushRequest {
  if (!isRecord(body)) throw invalid('the push body must be a JSON object');
  if (body.pushVersion !== PUSH_VERSION) {
    throw new ProtocolError('unsupported-version', `pushVersion ${JSON.stringify(body.pushVersion)} is not supported (this server speaks ${PUSH_VERSION}).`);
  }
  const clientGroupID = requireId(body, 'clientGroupID');
  const profileID = optionalString(body, 'profileID');
  const schemaVersion = optionalString(body, 'schemaVersion');
  if (!Array.isArray(body.mutations)) throw invalid('mutations must be an array');
  const mutations = body.mutations.map((m: unknown, index: number): Mutation => {
    if (!isRecord(m)) throw invalid(`mutations[${index}] must be an object`);
    const clientID = requireId(m, 'clientID', `mutations[${index}].`);
    const { id, name, args, timestamp } = m;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw invalid(`mutations[${index}].id must be a positive integer`);
    if (typeof name !== 'string') throw invalid(`mutations[${index}].name must be a string`);
    if (args === undefined || !isJsonValue(args)) throw invalid(`mutations[${index}].args must be JSON`);
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) throw invalid(`mutations[${index}].timestamp must be a number`);
    return { clientID, id, name, args: args as JsonValue, timestamp };
  });
  const space = body.space === undefined ? undefined : requireSpace(body.space);
  return { pushVersion: PUSH_VERSION, clientGroupID, profileID, schemaVersion, mutations, ...(space !== undefined && { space }) };
}
