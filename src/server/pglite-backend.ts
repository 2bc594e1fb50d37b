import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { readPackedDatabase, WITHOUT_LOCAL_DB_TABLES } from '../pglite/index.js';
import type { SqlExecutor, SyncBackend } from './backend.js';
import { logServerProblem, type ServerErrorHook } from './problems.js';

/**
 * The embedded backend: one PGlite (`memory://` or a folder). PGlite runs one query at a time, so
 * transactions are naturally serialised and every read sees a consistent snapshot.
 */
export async function createPGliteBackend(source: string | PGliteInterface = 'memory://', { onError = logServerProblem }: { readonly onError?: ServerErrorHook } = {}): Promise<SyncBackend> {
  const owned = typeof source === 'string';
  // A folder is locked for this process (see folder-lock.ts); memory and a caller's PGlite are not.
  const folder = typeof source === 'string' ? folderOf(source) : null;
  // Loaded only for a folder: the lock is Node-only (fs), and the MSW mocks run this file in browsers.
  const lock = folder === null ? null : (await import('./folder-lock.js')).lockFolder(folder);
  let db: PGliteInterface;
  try {
    db = typeof source === 'string' ? await openPGlite(source, folder, onError) : source;
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

/**
 * PGlite at `source`. A new database starts from the packed one without the local db's tables
 * (initdb costs seconds: every `memory://` server, in a test or a story, started with it); when
 * the pack cannot be used, initdb runs and `prebuilt-skipped` says why.
 */
async function openPGlite(source: string, folder: string | null, onError: ServerErrorHook): Promise<PGlite> {
  if (source.startsWith('memory://') || (folder !== null && !(await holdsDatabase(folder)))) {
    let db: PGlite | null = null;
    try {
      db = await PGlite.create(source, { loadDataDir: await readPackedDatabase() });
      await db.exec(WITHOUT_LOCAL_DB_TABLES);
      return db;
    } catch (error) {
      // What the pack left of a new database is not kept: initdb starts it again.
      await db?.close().catch(() => {});
      onError({ code: 'prebuilt-skipped', message: `The packed database was not used, so initdb ran: ${error instanceof Error ? error.message : String(error)}`, cause: error });
    }
  }
  return PGlite.create(source);
}

/** Whether a folder holds a PostgreSQL data directory (only folders get here: Node). */
async function holdsDatabase(folder: string): Promise<boolean> {
  const { access } = await import('node:fs/promises');
  return access(`${folder}/PG_VERSION`).then(() => true, () => false);
}

/** The folder on disk a PGlite source names; null for `memory://` and other schemes without one. */
function folderOf(source: string): string | null {
  if (source.startsWith('file://')) return source.slice('file://'.length);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? null : source;
}
