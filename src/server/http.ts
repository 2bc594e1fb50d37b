import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { SyncBackend } from './backend.js';
import { createSyncCore, type ConflictResolver, type SyncCore } from './core.js';
import { createSyncHandler, type SyncHandlerOptions } from './handler.js';
import { createPGliteBackend } from './pglite-backend.js';
import { createPostgresBackend } from './postgres-backend.js';

export interface StartSyncServerOptions extends Omit<SyncHandlerOptions, 'core'> {
  /** 0 picks a free port (default 0). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** `memory://` (default), a folder for PGlite, a `postgres://` URL, or a backend of your own. */
  readonly db?: string | SyncBackend;
  readonly resolvers?: Readonly<Record<string, ConflictResolver>>;
}

export interface SyncServer {
  /** e.g. `http://127.0.0.1:4848`; the routes are under `/api/sync`. */
  readonly url: string;
  readonly core: SyncCore;
  /** Ends poke streams, stops listening and closes the database. */
  close(): Promise<void>;
}

/** The sync protocol over `node:http`: push, pull and a server-sent-events poke channel. */
export async function startSyncServer(options: StartSyncServerOptions = {}): Promise<SyncServer> {
  const backend = await openBackend(options.db ?? 'memory://');
  const core = await createSyncCore({ backend, ...(options.resolvers && { resolvers: options.resolvers }) });
  const handler = createSyncHandler({ ...options, core });
  const host = options.host ?? '127.0.0.1';

  const server = createServer((req, res) => {
    void serve(handler, req, res, host);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
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

export async function openBackend(db: string | SyncBackend): Promise<SyncBackend> {
  if (typeof db !== 'string') return db;
  if (/^postgres(ql)?:\/\//.test(db)) return createPostgresBackend(db);
  return createPGliteBackend(db);
}

async function serve(handler: (request: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse, host: string): Promise<void> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const request = new Request(`http://${req.headers.host ?? host}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody && { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' }),
  } as RequestInit);
  const response = await handler(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return;
  }
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  // A client that goes away (a closed poke stream) cancels the body, which unsubscribes it.
  res.once('close', () => body.destroy());
  body.pipe(res);
}
