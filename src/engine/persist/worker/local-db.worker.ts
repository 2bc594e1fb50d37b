import { worker } from '@electric-sql/pglite/worker';
import { openPGlite } from '../empty-database.js';
import { filesInMemory } from '../pglite-options.js';
import type { FromLocalDbWorker } from './messages.js';

/**
 * The dedicated worker a browser's leader tab runs PostgreSQL in: PGlite opens here (from the
 * packed empty database for a new one) and answers the page's `PGliteWorker`, so executing SQL and
 * writing IndexedDB never block the page. Started by `start-worker.ts`.
 */
const tell = (message: FromLocalDbWorker) => postMessage(message);

void worker({
  async init(options) {
    try {
      const db = await openPGlite(options.dataDir ?? 'memory://', { emit: (event) => tell({ type: 'kalphite:event', event }) });
      // What LocalDb.open sets for a database it opens itself: it cannot tell a PGliteWorker's files are in memory.
      if (filesInMemory(db)) await db.exec('SET wal_init_zero = off');
      return db;
    } catch (error) {
      tell({ type: 'kalphite:open-failed', message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  },
});
