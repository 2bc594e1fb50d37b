import type { PGliteInterface } from '@electric-sql/pglite';
import type { EmitEvent } from '../../events.js';
import { openInWorker } from './open-in-worker.js';
import { openStorage } from './open-storage.js';
import { startLocalDbWorker } from './start-worker.js';
import { isBrowserDataDir } from './storage-choice.js';

export interface OpenDatabaseOptions {
  readonly emit: EmitEvent;
  /** Starts the local db's worker. Absent: Kalphite's, where `Worker` exists (not in Node); null: PGlite runs in this thread. */
  readonly startWorker?: (() => Worker) | null;
}

/**
 * Opens the local db's PGlite: in a worker for a browser's persistent database (`idb://`,
 * `idb-only://`, `opfs://`), so SQL and storage never block the page, and OPFS sync access handles
 * exist; in this thread otherwise (`memory://`, a folder in Node), or when the worker does not
 * start, which `db:worker-failed` reports. Either thread opens the storage `openStorage` chooses.
 */
export async function openDatabase(dataDir: string, { emit, startWorker = defaultWorker() }: OpenDatabaseOptions): Promise<PGliteInterface> {
  if (startWorker && isBrowserDataDir(dataDir)) {
    try {
      return await openInWorker(dataDir, startWorker, emit);
    } catch (error) {
      emit({ type: 'db:worker-failed', dataDir, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return openStorage(dataDir, { emit });
}

const defaultWorker = (): (() => Worker) | null => (typeof globalThis.Worker === 'function' ? startLocalDbWorker : null);
