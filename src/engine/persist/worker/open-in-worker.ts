import type { PGliteInterface } from '@electric-sql/pglite';
import type { EmitEvent } from '../../events.js';
import { LocalDbWorkerClient, workerErrorMessage, type LocalDbWorkerClientOptions } from './worker-client.js';
import { isFromLocalDbWorker } from './messages.js';

/**
 * Opens PGlite at `dataDir` in a worker `start` starts, and resolves once it answers queries: the
 * page keeps only a query front (`LocalDbWorkerClient`), while PostgreSQL and IndexedDB run off the main thread. Rejects, with the worker stopped, when it
 * does not start, its script fails, or the database does not open there. Once open, a worker that
 * dies is reported by `db:worker-died`, and the queries sent to it reject.
 */
export async function openInWorker(dataDir: string, start: () => Worker, emit: EmitEvent, options: LocalDbWorkerClientOptions = {}): Promise<PGliteInterface> {
  const worker = start();
  let onMessage: (message: MessageEvent) => void = () => {};
  let onError: (event: Event) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    onError = (event) => reject(new Error(workerErrorMessage(event) ?? 'The worker script did not load'));
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
        const db = new LocalDbWorkerClient(worker, dataDir, options);
        await db.waitReady;
        return db;
      })(),
      failed,
    ]);
    worker.removeEventListener('error', onError);
    db.watch((error) => emit({ type: 'db:worker-died', dataDir, reason: error.message }));
    return db;
  } catch (error) {
    worker.terminate();
    throw error;
  }
}
