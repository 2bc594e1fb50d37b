import type { SyncBackend } from './backend.js';
import type { BackendRoute } from './space-backends.js';
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
  return createPGliteBackend(db, { onError });
}

/**
 * `db` as a function of the space: each database it names is opened once, on first use, and kept
 * (the core closes them). A database that fails to open is tried again by the next request.
 */
export function routeBackends(db: (space: string) => string | SyncBackend, onError: ServerErrorHook = logServerProblem): BackendRoute {
  const opened = new Map<string, Promise<SyncBackend>>();
  return (space) => {
    const target = db(space);
    if (typeof target !== 'string') return target;
    let backend = opened.get(target);
    if (!backend) {
      const opening = openBackend(target, onError);
      opened.set(target, opening);
      opening.catch(() => {
        if (opened.get(target) === opening) opened.delete(target);
      });
      backend = opening;
    }
    return backend;
  };
}
