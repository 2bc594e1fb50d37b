import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { EntitySchema } from '../protocol/standard-schema.js';
import type { SyncBackend } from './backend.js';
import { createSyncCore, type SyncCore } from './core.js';
import { answerNodeFailure, serveNodeRequest } from './adapters/node-listener.js';
import { createSyncHandler, type SyncHandler, type SyncHandlerOptions } from './handler.js';
import type { ConflictResolver } from './mutations.js';
import { openBackend, routeBackends } from './open-backend.js';
import type { Authorize } from './permissions.js';
import { logServerProblem, type ServerErrorHook } from './problems.js';

export interface StartSyncServerOptions extends Omit<SyncHandlerOptions, 'core' | 'allowedHosts'> {
  /** 0 picks a free port (default 0). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /**
   * `memory://` (default), a folder for PGlite, a `postgres://` URL, or a backend of your own; or a
   * function from a space to one of those, to keep spaces in different databases (each URL is
   * opened once, when a request first needs it; a backend of your own must be the same object for
   * the same database).
   */
  readonly db?: string | SyncBackend | ((space: string) => string | SyncBackend);
  /** Who may read and write which space (default: everyone, everything); see `Authorize`. */
  readonly authorize?: Authorize;
  readonly resolvers?: Readonly<Record<string, ConflictResolver>>;
  /** A Standard Schema validator per entity type (the engine's): mutations whose data does not fit are refused. */
  readonly schema?: EntitySchema;
  /** With a schema: also refuse mutations of types it does not name. */
  readonly strict?: boolean;
  /** Which app schemaVersions this server serves (default: every one); see `SyncCoreOptions.schemaVersions`. */
  readonly schemaVersions?: (schemaVersion: string) => boolean;
  /** The largest change a poke carries, in bytes of JSON (default 16 KiB; 0: versions only); see `SyncCoreOptions.pokeDataLimit`. */
  readonly pokeDataLimit?: number;
  /**
   * Host names this server answers to, at the port it listens on (an entry with a port is taken as
   * it is), or `'*'` for any (the default: behind a proxy the Host is the proxy's). A server for
   * browsers on this machine should list its names: see `loopbackHosts`.
   */
  readonly allowedHosts?: readonly string[] | '*';
}

export interface SyncServer {
  /** The origin, e.g. `http://127.0.0.1:4848`; the routes are under `syncUrl`. */
  readonly url: string;
  /**
   * What an engine's `syncUrl` takes: `url` plus the base path (`basePath`, default `/api/sync`),
   * e.g. `http://127.0.0.1:4848/api/sync`. `url` alone answers 404 at the first push.
   */
  readonly syncUrl: string;
  readonly core: SyncCore;
  /** Ends poke streams, stops listening and closes the database. */
  close(): Promise<void>;
}

/** The names a server on this machine goes by, beside the host it listens on. */
export const loopbackHosts: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The sync protocol over `node:http`: push, pull and a server-sent-events poke channel. Listens
 * before it opens the database, so a port in use fails at once; a request that arrives meanwhile
 * waits for the database.
 */
export async function startSyncServer(options: StartSyncServerOptions = {}): Promise<SyncServer> {
  const onError = options.onError ?? logServerProblem;
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  // Normalized here and handed to the handler, so the URL we give out is the one it routes.
  const basePath = (options.basePath ?? '/api/sync').replace(/\/$/, '');

  const started = (async () => {
    const db = options.db ?? 'memory://';
    const backend = typeof db === 'function' ? routeBackends(db, onError) : await openBackend(db, onError);
    try {
      const core = await createSyncCore({
        backend,
        onError,
        ...(options.authorize && { authorize: options.authorize }),
        ...(options.resolvers && { resolvers: options.resolvers }),
        ...(options.schema && { schema: options.schema }),
        ...(options.strict !== undefined && { strict: options.strict }),
        ...(options.schemaVersions && { schemaVersions: options.schemaVersions }),
        ...(options.pokeDataLimit !== undefined && { pokeDataLimit: options.pokeDataLimit }),
      });
      const { allowedHosts = '*', ...handlerOptions } = options;
      const handler = createSyncHandler({
        ...handlerOptions,
        basePath,
        core,
        onError,
        ...(allowedHosts !== '*' && { allowedHosts: hostsAt(allowedHosts, port) }),
      });
      return { core, handler };
    } catch (error) {
      // A route has opened nothing yet: its backends open with the first requests.
      if (typeof backend !== 'function') await backend.close();
      throw error;
    }
  })();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    started.then(({ handler }) => serveNodeRequest(handler, req, res, authority)).catch((error: unknown) => answerNodeFailure(error, res, onError));
  });
  // After listening, the server emits 'error' when it cannot accept a connection (out of file
  // descriptors): with no listener that would end the process. It keeps listening.
  server.on('error', (error) => onError({ code: 'request-failed', message: `Accepting a connection failed: ${error.message}`, cause: error }));
  let core: SyncCore;
  let handler: SyncHandler;
  try {
    ({ core, handler } = await started);
  } catch (error) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  if (!isLoopback(host) && !options.authenticate) {
    onError({ code: 'open-to-network', message: `Listening on ${authority} with no authenticate hook: anyone who can reach it can read and write.` });
  }

  let closing: Promise<void> | null = null;
  return {
    url: `http://${authority}`,
    syncUrl: `http://${authority}${basePath}`,
    core,
    close: () =>
      (closing ??= (async () => {
        handler.closeStreams();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await core.close();
      })()),
  };
}

/** `localhost` → `localhost:4848`; an entry with a port of its own stays as it is. */
function hostsAt(hosts: readonly string[], port: number): string[] {
  return hosts.map((host) => {
    if (/^(\[[^\]]+\]|[^:[\]]+):\d+$/.test(host)) return host;
    return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
