import type { EmitEvent } from '../../events.js';

/**
 * What the local db's worker tells the page besides PGliteWorker's own messages: the events its
 * open emits (the page re-emits them), that it could not open the database (the page then opens it
 * on the main thread), and the answers to direct queries (every query the local db makes).
 */
export type FromLocalDbWorker =
  | { readonly type: 'kalphite:event'; readonly event: Parameters<EmitEvent>[0] }
  | { readonly type: 'kalphite:open-failed'; readonly message: string }
  | { readonly type: 'kalphite:rows'; readonly id: number; readonly rows: unknown[]; readonly affectedRows: number | undefined }
  | { readonly type: 'kalphite:done'; readonly id: number; readonly results: readonly DirectResult[] }
  | { readonly type: 'kalphite:query-failed'; readonly id: number; readonly message: string };

export interface DirectResult {
  readonly rows: unknown[];
  readonly affectedRows: number | undefined;
}

/**
 * A query the page posts to the worker itself, not through PGliteWorker, answered by `kalphite:rows`:
 * one structured clone each way. PGliteWorker sends a query as five or six protocol messages and
 * as many more calls (locks, blobs, a sync), each a BroadcastChannel round trip: 25–50 ms a query
 * and 12 ms a statement in a transaction on `idb://` here, against 1 for a message each way. `tx`:
 * inside that open transaction.
 */
export interface DirectQuery {
  readonly type: 'kalphite:query';
  readonly id: number;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly tx?: number;
}

/** A script of statements (PGlite's `exec`), answered by `kalphite:done` with each statement's result. */
export interface DirectExec {
  readonly type: 'kalphite:exec';
  readonly id: number;
  readonly sql: string;
  readonly tx?: number;
}

/** Opens a transaction in the worker, known by this message's id; answered by `kalphite:done` once it began. */
export interface BeginTransaction {
  readonly type: 'kalphite:begin';
  readonly id: number;
}

/** Commits (or rolls back) transaction `tx`; answered by `kalphite:done` once it ended and the files are synced. */
export interface EndTransaction {
  readonly type: 'kalphite:end';
  readonly id: number;
  readonly tx: number;
  readonly commit: boolean;
}

/**
 * Closes PGlite in the worker before the page terminates it; answered by `kalphite:done` once
 * PostgreSQL shut down and its files are synced. PGliteWorker's own `close` only terminates the
 * worker, which leaves the database as a crash would: the next open replays its WAL first.
 */
export interface CloseDatabase {
  readonly type: 'kalphite:close';
  readonly id: number;
}

/** What the page posts to the local db's worker besides PGliteWorker's own messages. */
export type ToLocalDbWorker = DirectQuery | DirectExec | BeginTransaction | EndTransaction | CloseDatabase;

const OURS = new Set(['kalphite:event', 'kalphite:open-failed', 'kalphite:rows', 'kalphite:done', 'kalphite:query-failed']);
const TO_WORKER = new Set(['kalphite:query', 'kalphite:exec', 'kalphite:begin', 'kalphite:end', 'kalphite:close']);

/** Whether a message from the worker is one of Kalphite's (PGliteWorker's are not). */
export function isFromLocalDbWorker(data: unknown): data is FromLocalDbWorker {
  return OURS.has((data as { type?: unknown } | null)?.type as string);
}

/** Whether a message to the worker is one of Kalphite's direct ones. */
export function isToLocalDbWorker(data: unknown): data is ToLocalDbWorker {
  return TO_WORKER.has((data as { type?: unknown } | null)?.type as string);
}

export function isDirectQuery(data: unknown): data is DirectQuery {
  return (data as { type?: unknown } | null)?.type === 'kalphite:query';
}
