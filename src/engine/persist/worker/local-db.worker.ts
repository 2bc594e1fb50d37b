import type { PGlite } from '@electric-sql/pglite';
import { worker } from '@electric-sql/pglite/worker';
import { openPGlite } from '../empty-database.js';
import { filesInMemory } from '../pglite-options.js';
import { serveDirectQueries } from './direct-queries.js';
import { isToLocalDbWorker, type FromLocalDbWorker } from './messages.js';
import { syncPerQuery } from './sync-per-query.js';

/**
 * The dedicated worker a browser's leader tab runs PostgreSQL in: PGlite opens here (from the
 * packed empty database for a new one) and answers the page's `LocalDbWorkerClient` (its direct
 * queries, and PGliteWorker's opening and closing), so executing SQL and writing IndexedDB never
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
      const db = await openPGlite(options.dataDir ?? 'memory://', { emit: (event) => tell({ type: 'kalphite:event', event }) });
      // What LocalDb.open sets for a database it opens itself: it cannot tell a worker's files are in memory.
      if (filesInMemory(db)) await db.exec('SET wal_init_zero = off');
      opened(db);
      return syncPerQuery(db);
    } catch (error) {
      tell({ type: 'kalphite:open-failed', message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  },
});
