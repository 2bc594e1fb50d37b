import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ProtocolError } from '../../protocol/errors.js';
import { errorResponse } from '../handler.js';
import { toFetchRequest } from '../node-request.js';
import { logServerProblem, type ServerErrorHook } from '../problems.js';

/** A fetch handler: what `createSyncHandler` returns (and what Hono, Next.js and TanStack Start take). */
export type FetchHandler = (request: Request) => Promise<Response>;

/** A `node:http` request listener; Express 5 takes it as a route handler (it never rejects). */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface NodeListenerOptions {
  /** Hears what the adapter itself failed at (default: one line on stderr). */
  readonly onError?: ServerErrorHook;
}

/**
 * A fetch handler served from `node:http`'s `(req, res)`: the bridge `startSyncServer` serves with,
 * and how Express (or anything that hands out node's request and response) mounts the sync handler:
 * `app.all('/api/sync/*path', createNodeListener(sync))`. The URL must keep its full path (an
 * Express `app.use('/api/sync', …)` strips it). Streams (the poke channel) are written as they come,
 * and a client that goes away cancels them.
 */
export function createNodeListener(handler: FetchHandler, options: NodeListenerOptions = {}): NodeListener {
  const onError = options.onError ?? logServerProblem;
  return (req, res) => serveNodeRequest(handler, req, res).catch((error: unknown) => answerNodeFailure(error, res, onError));
}

/**
 * Serves one request. `fallbackHost` names the server when the request has no Host header (an
 * HTTP/1.0 client); without it, the socket's local address does. Rejects only when the adapter
 * itself failed (see `answerNodeFailure`).
 */
export async function serveNodeRequest(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, fallbackHost = socketAuthority(req)): Promise<void> {
  // A body parser that ran first (Express's `express.json()` on this route) has read the stream:
  // the handler would wait for a body that never comes.
  if (req.readableEnded && req.method !== 'GET' && req.method !== 'HEAD') {
    throw new Error('The request body was already read before the sync handler (mount the sync route before any body parser).');
  }
  let incoming: ReturnType<typeof toFetchRequest>;
  try {
    incoming = toFetchRequest(req, res, fallbackHost);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    // Refused before it became a Request: nothing of the body was read.
    res.shouldKeepAlive = false;
    await writeResponse(errorResponse(error, { connection: 'close' }), res);
    return;
  }
  const response = await handler(incoming.request);
  if (incoming.settleBody() === 'close') response.headers.set('connection', 'close');
  await writeResponse(response, res);
}

/** Anything the adapter itself failed at: reported, and answered 500 if the answer has not begun. */
export function answerNodeFailure(error: unknown, res: ServerResponse, onError: ServerErrorHook): void {
  onError({ code: 'request-failed', message: `The HTTP adapter failed: ${error instanceof Error ? error.message : String(error)}`, cause: error });
  if (!res.headersSent) {
    res.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ error: 'internal', message: 'The server failed to handle this request; it changed nothing and can be retried.' }));
  } else {
    res.destroy();
  }
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return;
  }
  try {
    // A client that goes away (a closed poke stream) ends the pipeline, which cancels the body.
    await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res);
  } catch (error) {
    // The client closed the connection mid-answer: normal for poke streams, nothing to report.
    if (CLIENT_GONE.has((error as { code?: unknown }).code)) return;
    throw error;
  }
}

/** How writing to a connection the client has closed fails (as opposed to the answer failing). */
const CLIENT_GONE = new Set<unknown>(['ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ECONNRESET', 'EPIPE']);

/** `127.0.0.1:4848` or `[::1]:4848`, from the socket the request came in on. */
function socketAuthority(req: IncomingMessage): string {
  const { localAddress = '127.0.0.1', localPort } = req.socket;
  const host = localAddress.includes(':') ? `[${localAddress}]` : localAddress;
  return localPort === undefined ? host : `${host}:${localPort}`;
}
