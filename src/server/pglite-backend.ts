import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import type { SqlExecutor, SyncBackend } from './backend.js';

/**
 * The embedded backend: one PGlite (`memory://` or a folder). PGlite runs one query at a time, so
 * transactions are naturally serialised and every read sees a consistent snapshot.
 */
export async function createPGliteBackend(source: string | PGliteInterface = 'memory://'): Promise<SyncBackend> {
  const owned = typeof source === 'string';
  // A folder is locked for this process (see folder-lock.ts); memory and a caller's PGlite are not.
  const folder = typeof source === 'string' ? folderOf(source) : null;
  // Loaded only for a folder: the lock is Node-only (fs), and the MSW mocks run this file in browsers.
  const lock = folder === null ? null : (await import('./folder-lock.js')).lockFolder(folder);
  let db: PGliteInterface;
  try {
    db = typeof source === 'string' ? new PGlite(source) : source;
    await db.waitReady;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const listeners = new Set<(space: string, version: number) => void>();
  return {
    transaction: (_mode, fn) => db.transaction((tx) => fn(executor(tx))),
    publish: async (space, version) => {
      for (const listener of listeners) listener(space, version);
    },
    onPublish: async (listener) => {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
    close: async () => {
      listeners.clear();
      try {
        if (owned && !db.closed) await db.close();
      } finally {
        lock?.release();
      }
    },
  };
}

function executor(tx: Pick<PGliteInterface, 'query'>): SqlExecutor {
  return {
    query: async <R>(sql: string, params?: readonly unknown[]) => (await tx.query<R>(sql, params ? [...params] : undefined)).rows,
  };
}

/** The folder on disk a PGlite source names; null for `memory://` and other schemes without one. */
function folderOf(source: string): string | null {
  if (source.startsWith('file://')) return source.slice('file://'.length);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? null : source;
}
