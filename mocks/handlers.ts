import type { PGliteInterface } from '@electric-sql/pglite';
import { http, type HttpHandler } from 'msw';
import { createSyncCore, type SyncCore } from '../src/server/core.js';
import { createSyncHandler, type SyncHandlerOptions } from '../src/server/handler.js';
import type { ConflictResolver } from '../src/server/mutations.js';
import type { Authorize } from '../src/server/permissions.js';
import { createPGliteBackend } from '../src/server/pglite-backend.js';

export interface MockSyncServerOptions extends Omit<SyncHandlerOptions, 'core' | 'basePath'> {
  /**
   * Where the routes are mocked: a full base URL (`http://sync.test/api/sync`) or an MSW pattern
   * (default `*\/api/sync`, any origin).
   */
  readonly baseUrl?: string;
  /** The server's database: `memory://` (default) or a PGlite of your own. */
  readonly db?: string | PGliteInterface;
  /** Who may read and write which space (default: everyone, everything), as on the real server. */
  readonly authorize?: Authorize;
  readonly resolvers?: Readonly<Record<string, ConflictResolver>>;
}

export interface MockSyncServer {
  /** Pass to `setupServer(...)` (msw/node), `setupWorker(...)` or a story's `parameters.msw.handlers`. */
  readonly handlers: readonly HttpHandler[];
  /** The server core, once its database is open (it opens on creation). */
  readonly ready: Promise<SyncCore>;
  close(): Promise<void>;
}

/**
 * The real sync server core behind MSW, in-process over an in-memory PGlite: stories and tests get
 * the server's exact semantics with no network and no hand-written fake. Synchronous, so a story can
 * put the handlers in its parameters; requests wait until the database is open.
 */
export function createMockSyncServer(options: MockSyncServerOptions = {}): MockSyncServer {
  const baseUrl = (options.baseUrl ?? '*/api/sync').replace(/\/$/, '');
  const basePath = baseUrl.startsWith('*') ? baseUrl.slice(1) : new URL(baseUrl).pathname;
  const ready = (async () =>
    createSyncCore({
      backend: await createPGliteBackend(options.db ?? 'memory://'),
      ...(options.authorize && { authorize: options.authorize }),
      ...(options.resolvers && { resolvers: options.resolvers }),
      ...(options.onError && { onError: options.onError }),
    }))();
  const handler = ready.then((core) => createSyncHandler({ ...options, core, basePath }));
  return {
    handlers: [http.all(`${baseUrl}/:route`, async ({ request }) => (await handler)(request))],
    ready,
    close: async () => {
      (await handler).closeStreams();
      await (await ready).close();
    },
  };
}
