import { BackendUnavailableError, type SyncBackend } from './backend.js';
import type { ServerErrorHook } from './problems.js';
import { ensureSchema } from './schema.js';

/**
 * Which database holds a space (SPACES.md rule 4: spaces can live on different databases). It must
 * answer the same backend for the same database every time; `openBackend`'s routing opens each URL
 * once and keeps it.
 */
export type BackendRoute = (space: string) => SyncBackend | Promise<SyncBackend>;

export interface SpaceBackends {
  /** The backend that holds `space`, its tables ready. */
  of(space: string): Promise<SyncBackend>;
  /** Closes every backend handed out. */
  close(): Promise<void>;
}

/**
 * One backend for every space, its tables made at once (so a server on a broken database does not
 * start); or a route, whose backends get their tables on first use, each once.
 */
export async function spaceBackends(source: SyncBackend | BackendRoute, onError: ServerErrorHook): Promise<SpaceBackends> {
  if (typeof source !== 'function') {
    await schemaReady(source, onError);
    return { of: async () => source, close: () => source.close() };
  }
  const seen = new Set<SyncBackend>();
  const ready = new Map<SyncBackend, Promise<void>>();
  let closed = false;
  return {
    of: async (space) => {
      if (closed) throw new BackendUnavailableError('The sync core is closed.');
      const backend = await source(space);
      if (closed) {
        // Opened while the core closed: nobody else will close it.
        if (!seen.has(backend)) await backend.close();
        throw new BackendUnavailableError('The sync core is closed.');
      }
      seen.add(backend);
      let schema = ready.get(backend);
      if (!schema) {
        const made = backend.transaction('write', ensureSchema);
        ready.set(backend, made);
        // A failure is not kept: the next request for this database tries again (it answered 503 or 500).
        made.catch(() => {
          if (ready.get(backend) === made) ready.delete(backend);
        });
        schema = made;
      }
      await schema;
      return backend;
    },
    close: async () => {
      closed = true;
      const results = await Promise.allSettled([...seen].map((backend) => backend.close()));
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

/**
 * Creates the tables, trying again when a connection to the database is lost while it answers (a
 * restart, a failover, a terminated backend): a server that starts during one should come up once it
 * is back, not exit. A database never reached (a wrong address) and other errors throw at once.
 */
async function schemaReady(backend: SyncBackend, onError: ServerErrorHook): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await backend.transaction('write', ensureSchema);
      return;
    } catch (error) {
      if (!(error instanceof BackendUnavailableError) || !error.reached || attempt >= SCHEMA_ATTEMPTS) throw error;
      onError({ code: 'database-unavailable', message: `Creating the tables failed (attempt ${attempt} of ${SCHEMA_ATTEMPTS}): ${error.message}`, cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** About 6 s of attempts in all. */
const SCHEMA_ATTEMPTS = 6;
