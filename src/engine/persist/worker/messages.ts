import type { EmitEvent } from '../../events.js';

/**
 * What the local db's worker tells the page besides PGliteWorker's own messages: the events its
 * open emits (the page re-emits them), that it could not open the database (the page then opens it
 * on the main thread), and the answers to direct queries.
 */
export type FromLocalDbWorker =
  | { readonly type: 'kalphite:event'; readonly event: Parameters<EmitEvent>[0] }
  | { readonly type: 'kalphite:open-failed'; readonly message: string }
  | { readonly type: 'kalphite:rows'; readonly id: number; readonly rows: unknown[]; readonly affectedRows: number | undefined }
  | { readonly type: 'kalphite:query-failed'; readonly id: number; readonly message: string };

/**
 * A query the page posts to the worker itself, not through PGliteWorker: a flush batch's one large
 * text parameter then crosses as one structured clone (a copy of the string), where PGliteWorker
 * would encode it into a wire message on the main thread and send that through a BroadcastChannel.
 */
export interface DirectQuery {
  readonly type: 'kalphite:query';
  readonly id: number;
  readonly sql: string;
  readonly params: readonly unknown[];
}

const OURS = new Set(['kalphite:event', 'kalphite:open-failed', 'kalphite:rows', 'kalphite:query-failed']);

/** Whether a message from the worker is one of Kalphite's (PGliteWorker's are not). */
export function isFromLocalDbWorker(data: unknown): data is FromLocalDbWorker {
  return OURS.has((data as { type?: unknown } | null)?.type as string);
}

export function isDirectQuery(data: unknown): data is DirectQuery {
  return (data as { type?: unknown } | null)?.type === 'kalphite:query';
}
