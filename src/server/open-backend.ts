import type { SyncBackend } from './backend.js';
import { createPGliteBackend } from './pglite-backend.js';
import { createPostgresBackend } from './postgres-backend.js';
import { logServerProblem, type ServerErrorHook } from './problems.js';

/**
 * The backend a `db` option names: a `postgres://` URL is PostgreSQL (shared by several server
 * processes), anything else a PGlite dataDir (`memory://` or a folder), and a backend of your own
 * is used as it is. The CLI checks the spelling first (cli-config.ts).
 */
export async function openBackend(db: string | SyncBackend, onError: ServerErrorHook = logServerProblem): Promise<SyncBackend> {
  if (typeof db !== 'string') return db;
  if (/^postgres(ql)?:\/\//.test(db)) return createPostgresBackend(db, { onError });
  return createPGliteBackend(db);
}
