import type { EmitEvent } from '../../events.js';

/**
 * What the local db's worker tells the page besides PGliteWorker's own messages: the events its
 * open emits (the page re-emits them), and that it could not open the database (the page then
 * opens it on the main thread).
 */
export type FromLocalDbWorker =
  | { readonly type: 'kalphite:event'; readonly event: Parameters<EmitEvent>[0] }
  | { readonly type: 'kalphite:open-failed'; readonly message: string };

/** Whether a message from the worker is one of Kalphite's (PGliteWorker's are not). */
export function isFromLocalDbWorker(data: unknown): data is FromLocalDbWorker {
  const type = (data as { type?: unknown } | null)?.type;
  return type === 'kalphite:event' || type === 'kalphite:open-failed';
}
