import type { PGlite } from '@electric-sql/pglite';
import { worker } from '@electric-sql/pglite/worker';
import { filesInMemory } from '../pglite-options.js';
import { serveDirectQueries } from './direct-queries.js';
import { isToLocalDbWorker, type FromLocalDbWorker } from './messages.js';
import { openStorage } from './open-storage.js';
import { browserDatabaseName } from './storage-choice.js';
import { syncPerQuery } from './sync-per-query.js';

/**
 * The dedicated worker a browser's leader tab runs PostgreSQL in: PGlite opens here, on OPFS where
 * the browser has sync access handles (only workers have them) or IndexedDB (`openStorage` chooses;
 * from the packed empty database for a new one), and answers the page's `LocalDbWorkerClient` (its direct
 * queries, and PGliteWorker's opening and closing), so executing SQL and writing storage never
 * block the page. Started by `start-worker.ts`.
 */
const tell = (message: FromLocalDbWorker) => postMessage(message);

let opened: (db: PGlite) => void = () => {};
const database = new Promise<PGlite>((resolve) => (opened = resolve));

const serve = serveDirectQueries(database, tell);
addEventListener('message', ({ data }: MessageEvent) => {
  if (isToLocalDbWorker(data)) serve(data);
});

void worker({
  async init(options) {
    try {
      const dataDir = options.dataDir ?? 'memory://';
      await heldByThisWorker(dataDir);
      const db = await openStorage(dataDir, { emit: (event) => tell({ type: 'kalphite:event', event }) });
      // What LocalDb.open sets for a database it opens itself: it cannot tell a worker's files are in
      // memory (memfs2opfs keeps them there too, and writes only the changed pages to OPFS).
      if (filesInMemory(db) || db.dataDir?.startsWith('memfs2opfs://')) await db.exec('SET wal_init_zero = off');
      opened(db);
      return syncPerQuery(db);
    } catch (error) {
      tell({ type: 'kalphite:open-failed', message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  },
});

/**
 * Resolves once this worker holds the database's Web Lock, which it keeps until it ends. OPFS sync
 * access handles are exclusive per file: a previous leader's worker that is still being torn down
 * (its tab closed, or its engine closed and terminated it) holds them until it is gone, and the lock
 * goes with them, so the next leader's worker opens only then.
 */
function heldByThisWorker(dataDir: string): Promise<void> {
  const name = browserDatabaseName(dataDir);
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (name === null || !locks) return Promise.resolve();
  return new Promise((resolve, reject) => {
    locks.request(`kalphite-local-db:${name}`, () => {
      resolve();
      return new Promise<never>(() => {});
    }).catch(reject);
  });
}
