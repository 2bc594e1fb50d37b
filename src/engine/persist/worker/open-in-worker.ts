import type { PGliteInterface } from '@electric-sql/pglite';
import type { EmitEvent } from '../../events.js';
import { LocalDbWorkerClient } from './worker-client.js';
import { isFromLocalDbWorker } from './messages.js';

/**
 * Opens PGlite at `dataDir` in a worker `start` starts, and resolves once it answers queries: the
 * page keeps only a query front (`LocalDbWorkerClient`), while PostgreSQL and IndexedDB run off the main thread. Rejects, with the worker stopped, when it
 * does not start, its script fails, or the database does not open there.
 */
export async function openInWorker(dataDir: string, start: () => Worker, emit: EmitEvent): Promise<PGliteInterface> {
  const worker = start();
  let onMessage: (message: MessageEvent) => void = () => {};
  let onError: (event: Event) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    // Not `instanceof ErrorEvent`: Node has none, and a module script that fails to load fires a plain Event.
    onError = (event) => reject(new Error(messageOf(event) ?? 'The worker script did not load'));
    onMessage = ({ data }) => {
      if (!isFromLocalDbWorker(data)) return;
      if (data.type === 'kalphite:event') emit(data.event);
      else if (data.type === 'kalphite:open-failed') reject(new Error(data.message));
    };
  });
  worker.addEventListener('message', onMessage);
  worker.addEventListener('error', onError);
  try {
    const db = await Promise.race([
      (async () => {
        const db = new LocalDbWorkerClient(worker, dataDir);
        await db.waitReady;
        return db;
      })(),
      failed,
    ]);
    worker.removeEventListener('error', onError);
    return db;
  } catch (error) {
    worker.terminate();
    throw error;
  }
}

const messageOf = (event: Event): string | null => {
  const message = (event as { message?: unknown }).message;
  return typeof message === 'string' && message !== '' ? message : null;
};
