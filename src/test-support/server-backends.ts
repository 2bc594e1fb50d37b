import type { SyncBackend } from '../server/backend.js';
import { createPGliteBackend } from '../server/pglite-backend.js';
import { createPostgresBackend } from '../server/postgres-backend.js';
import { freshPGlite } from './pglite.js';
import { freshSchema, postgresAvailable } from './postgres.js';

/** One test's database: `backend()` opens a server process's backend on it (call it again for another process). */
export type ServerBackendFactory = () => Promise<{ readonly backend: () => Promise<SyncBackend>; readonly cleanup: () => Promise<void> }>;

/**
 * The server's databases a core test runs on, by name: PGlite always, PostgreSQL when it is
 * reachable (null otherwise: `describe.skipIf`; a visible notice outside CI, a failure in CI).
 */
export async function serverBackends(): Promise<readonly (readonly [string, ServerBackendFactory | null])[]> {
  const hasPostgres = await postgresAvailable();
  return [
    [
      'PGlite',
      async () => {
        const backend = await createPGliteBackend(await freshPGlite());
        let used = false;
        return {
          // One embedded database per test; a second "process" shares the same instance.
          backend: async () => {
            if (used) return { ...backend, close: async () => {} };
            used = true;
            return backend;
          },
          cleanup: async () => {},
        };
      },
    ],
    [
      'PostgreSQL',
      hasPostgres
        ? async () => {
            const schema = await freshSchema();
            return { backend: async () => createPostgresBackend(schema.url), cleanup: schema.drop };
          }
        : null,
    ],
  ];
}
