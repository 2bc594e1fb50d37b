import { entityProblem } from '../../protocol/entity.js';
import { isPlainObject } from '../../protocol/json.js';
import { spaceProblem } from '../../protocol/space.js';
import type { Entity } from '../store/entity.js';
import type { KalphiteEvent } from '../events.js';
import type { PlainError, SyncCall, SyncCallResult } from './follower-sync.js';
import type { FlushOp } from '../persist/local-db.js';
import type { SyncStatus } from '../sync/sync-client.js';

/** A leader's sync event as tabs pass it: without its time, its error (if any) plain. */
export type ForwardedEvent = DistributiveForward<
  Extract<KalphiteEvent, { type: `sync:${string}` } | { type: 'outbox:acknowledged' } | { type: 'space:progress' | 'space:writable' | 'space:lost' }>
>;
type DistributiveForward<T> = T extends { readonly error: unknown } ? Omit<T, 'at' | 'error'> & { readonly error: PlainError } : T extends unknown ? Omit<T, 'at'> : never;

/**
 * The version of this message set. A tab says it in `hello` and the leader in its answer; tabs of
 * two releases that speak different versions do not work together (the lock's name stays the same,
 * so they never open one database at once). Raise it when a message changes shape or meaning.
 */
export const TAB_PROTOCOL = 3;

/** An entity's new value (null: deleted), as tabs tell each other. */
export type TabChange = readonly [id: string, entity: Entity | null];

/**
 * What tabs sharing a `dataDir` say to each other. `changes` is the fast path (a tab's own writes,
 * at once); `persisted` is the leader saying what the local db now holds, which every tab adopts
 * for entities it has no write of its own on the way.
 */
export type TabMessage =
  /** Before protocol 2 a hello carried no version: absent reads as 1. `spaces`: those open in the tab's memory. */
  | { readonly kind: 'hello'; readonly from: string; readonly protocol: number; readonly spaces: readonly string[] }
  /** The leader's answer to a hello of another protocol: the new tab cannot join. */
  | { readonly kind: 'incompatible'; readonly from: string; readonly to: string; readonly protocol: number }
  | { readonly kind: 'leader'; readonly from: string }
  | { readonly kind: 'bye'; readonly from: string }
  | {
      readonly kind: 'snapshot';
      readonly from: string;
      readonly to: string;
      readonly profileId: string;
      readonly entities: readonly Entity[];
      readonly tabs: number;
      readonly sync: SyncStatus | null;
      /** Absent (protocol 1): a leader of an older release. */
      readonly protocol: number;
      /** The leader could not read the spaces asked for: this tab cannot join. */
      readonly error?: PlainError;
    }
  | { readonly kind: 'changes'; readonly from: string; readonly changes: readonly TabChange[] }
  /** `space`: the one space the changes belong to (a pull), so a delete only removes an id held there. */
  | { readonly kind: 'persisted'; readonly from: string; readonly changes: readonly TabChange[]; readonly space?: string }
  /** A follower opens a space: the leader answers its local copy (`space-loaded`), then syncs it (`space-synced`). */
  | { readonly kind: 'open-space'; readonly from: string; readonly id: number; readonly space: string }
  | { readonly kind: 'space-loaded'; readonly from: string; readonly to: string; readonly id: number; readonly entities: readonly Entity[]; readonly error: PlainError | null }
  | { readonly kind: 'space-synced'; readonly from: string; readonly to: string; readonly id: number; readonly error: PlainError | null }
  | { readonly kind: 'close-space'; readonly from: string; readonly space: string; readonly forget: boolean }
  | { readonly kind: 'batch'; readonly from: string; readonly clientId: string; readonly batch: number; readonly ops: readonly FlushOp[] }
  | {
      readonly kind: 'ack';
      readonly from: string;
      readonly to: string;
      readonly batch: number;
      /** Each op's mutation id in its space; null if the batch had been written before (sent again). */
      readonly mutationIds: readonly number[] | null;
      readonly error: { readonly code: string; readonly message: string } | null;
    }
  | { readonly kind: 'tabs'; readonly from: string; readonly tabs: number }
  | { readonly kind: 'sync-event'; readonly from: string; readonly event: ForwardedEvent; readonly status: SyncStatus }
  /** `space`: the space a `verify` or `divergence` reads (absent: the leader's default space); `type`: the type a `divergence` drills into. */
  | { readonly kind: 'sync-call'; readonly from: string; readonly id: number; readonly call: SyncCall; readonly space?: string; readonly type?: string }
  | { readonly kind: 'sync-answer'; readonly from: string; readonly to: string; readonly id: number; readonly result: SyncCallResult; readonly error: PlainError | null };

const KINDS = new Set([
  'hello',
  'incompatible',
  'leader',
  'bye',
  'snapshot',
  'changes',
  'persisted',
  'batch',
  'ack',
  'tabs',
  'sync-event',
  'sync-call',
  'sync-answer',
  'open-space',
  'space-loaded',
  'space-synced',
  'close-space',
]);
const CALLS = new Set(['push', 'pull', 'pause', 'resume', 'offline', 'online', 'verify', 'divergence', 'retry', 'drop-blocked']);

/**
 * Proves a message's shape before a tab acts on it: another tab may run another version of the
 * app. Returns null for anything else (which is ignored).
 */
export function parseTabMessage(value: unknown): TabMessage | null {
  if (typeof value !== 'object' || value === null || !isPlainObject(value)) return null;
  const { kind, from } = value as { kind?: unknown; from?: unknown };
  if (typeof kind !== 'string' || !KINDS.has(kind) || typeof from !== 'string') return null;
  const message = value as TabMessage;
  switch (message.kind) {
    case 'hello':
      return { ...message, protocol: protocolOf(message), spaces: Array.isArray(message.spaces) ? message.spaces.filter((space) => spaceProblem(space) === null) : [] };
    case 'open-space':
    case 'close-space':
      return spaceProblem(message.space) === null && (message.kind === 'close-space' || Number.isInteger(message.id)) ? message : null;
    case 'space-loaded':
      return typeof message.to === 'string' && Number.isInteger(message.id) && Array.isArray(message.entities) && message.entities.every((e) => entityProblem(e?.id, e) === null) ? message : null;
    case 'space-synced':
      return typeof message.to === 'string' && Number.isInteger(message.id) ? message : null;
    case 'incompatible':
      return typeof message.to === 'string' && Number.isInteger(message.protocol) ? message : null;
    case 'snapshot': {
      if (typeof message.to !== 'string') return null;
      const protocol = protocolOf(message);
      // Another release's snapshot has another shape (protocol 2 named a group, not a profile): it is
      // let through by its protocol alone, so the tab hears it is incompatible instead of waiting.
      if (protocol !== TAB_PROTOCOL) return { ...message, protocol };
      return typeof message.profileId === 'string' && Array.isArray(message.entities) && message.entities.every((e) => entityProblem(e?.id, e) === null) ? { ...message, protocol } : null;
    }
    case 'changes':
    case 'persisted':
      return Array.isArray(message.changes) && message.changes.every(isChange) && (message.kind === 'changes' || message.space === undefined || spaceProblem(message.space) === null) ? message : null;
    case 'batch':
      return typeof message.clientId === 'string' && Number.isInteger(message.batch) && Array.isArray(message.ops) ? message : null;
    case 'ack':
      return typeof message.to === 'string' && Number.isInteger(message.batch) ? message : null;
    case 'tabs':
      return Number.isInteger(message.tabs) ? message : null;
    case 'sync-event':
      return isObject(message.event) && typeof message.event.type === 'string' && isObject(message.status) ? message : null;
    case 'sync-call':
      return Number.isInteger(message.id) && CALLS.has(message.call) && (message.space === undefined || typeof message.space === 'string') && (message.type === undefined || typeof message.type === 'string') ? message : null;
    case 'sync-answer':
      return typeof message.to === 'string' && Number.isInteger(message.id) ? message : null;
    default:
      return message;
  }
}

function protocolOf(message: { readonly protocol?: unknown }): number {
  return typeof message.protocol === 'number' && Number.isInteger(message.protocol) ? message.protocol : 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isChange(value: unknown): value is TabChange {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && (value[1] === null || entityProblem(value[0], value[1]) === null);
}
