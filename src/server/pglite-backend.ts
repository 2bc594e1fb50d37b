import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import type { SqlExecutor, SyncBackend } from './backend.js';

/**
 * The embedded backend: one PGlite (`memory://` or a folder). PGlite runs one query at a time, so
 * transactions are naturally serialised and every read sees a consistent snapshot.
 */
export async function createPGliteBackend(source: string | PGliteInterface = 'memory://'): Promise<SyncBackend> {
  const owned = typeof source === 'string';
  const db = typeof source === 'string' ? new PGlite(source) : source;
  await db.waitReady;
  const listeners = new Set<(version: number) => void>();
  return {
    kind: 'pglite',
    transaction: (_mode, fn) => db.transaction((tx) => fn(executor(tx))),
    publish: async (version) => {
      for (const listener of listeners) listener(version);
    },
    onPublish: async (listener) => {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
    close: async () => {
      listeners.clear();
      if (owned && !db.closed) await db.close();
    },
  };
}

function executor(tx: Pick<PGliteInterface, 'query'>): SqlExecutor {
  return {
    query: async <R>(sql: string, params?: readonly unknown[]) => (await tx.query<R>(sql, params ? [...params] : undefined)).rows,
  };
}
