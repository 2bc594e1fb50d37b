import { parseDigestRequest } from '../protocol/digest.js';
import { ProtocolError, type ProtocolErrorCode } from '../protocol/errors.js';
import { parsePullRequest } from '../protocol/pull.js';
import { parsePushRequest } from '../protocol/push.js';
import { pokeMessage } from '../protocol/poke.js';
import { DEFAULT_SPACE, POKE_GAP, requireSpace } from '../protocol/space.js';
import { BackendUnavailableError } from './backend.js';
import type { PokeSubscriber, SyncCore } from './core.js';
import { ANONYMOUS_USER, userProblem, type SyncUser } from './identity.js';
import { logServerProblem, type ServerErrorHook } from './problems.js';

export interface SyncHandlerOptions {
  readonly core: SyncCore;
  /** Where the routes live (default `/api/sync`): `…/push`, `…/pull`, `…/poke`, and `…/digest` (the divergence check). */
  readonly basePath?: string;
  /**
   * Who is calling: a user `{ id, … }`, or null or false to answer 401 (a throw is a 401 too, and
   * reported). Runs before the body is read. Without it every caller is `{ id: 'anonymous' }`.
   */
  readonly authenticate?: (request: Request) => SyncUser | null | false | Promise<SyncUser | null | false>;
  /** Bodies above this answer 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /**
   * Origins allowed to call from a browser: `'*'`, a list, or a test. None by default: a request
   * whose `Origin` is another site's answers 403 (a page must not write through its visitor's
   * browser); same-origin requests and clients that send no `Origin` (servers, CLIs) are served.
   */
  readonly cors?: { readonly origin: '*' | readonly string[] | ((origin: string) => boolean) };
  /**
   * Host header values (`host[:port]`, as in a URL) this server answers to; any by default. A server
   * on a developer's machine needs this against DNS rebinding: a page whose name resolves to
   * 127.0.0.1 is same-origin with it, so only the Host tells it apart.
   */
  readonly allowedHosts?: readonly string[];
  /** SSE keep-alive comment interval (default 15 s), so proxies keep idle poke streams open. */
  readonly heartbeatMs?: number;
  /** Hears what failed on the server's side (default: one line on stderr). */
  readonly onError?: ServerErrorHook;
}

export interface SyncHandler {
  (request: Request): Promise<Response>;
  /** Ends every open poke stream (for shutdown). */
  closeStreams(): void;
}

const STATUS: Record<ProtocolErrorCode, number> = {
  'malformed-json': 400,
  'invalid-request': 400,
  'invalid-response': 502,
  'unsupported-version': 400,
  'payload-too-large': 413,
  unauthorized: 401,
  'mutation-from-future': 409,
  'not-found': 404,
  'method-not-allowed': 405,
  'unsupported-media-type': 415,
  forbidden: 403,
  unavailable: 503,
};

/**
 * The sync protocol as one fetch handler (`Request` → `Response`): `node:http` serves it through a
 * thin adapter and MSW calls it directly, so the browser mocks and the real server are one code path.
 */
export function createSyncHandler(options: SyncHandlerOptions): SyncHandler {
  const base = (options.basePath ?? '/api/sync').replace(/\/$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const report = options.onError ?? logServerProblem;
  const allowedHosts = options.allowedHosts && new Set(options.allowedHosts.map(hostKey));
  const streams = new Set<() => void>();

  const handler = async (request: Request): Promise<Response> => {
    const origin = request.headers.get('origin');
    const cors = corsHeaders(options.cors, origin);
    try {
      const url = new URL(request.url);
      if (allowedHosts && !allowedHosts.has(hostKey(url.host))) {
        throw new ProtocolError('forbidden', `This server does not answer to the host ${JSON.stringify(url.host)}.`);
      }
      if (origin !== null && origin !== url.origin && !originAllowed(options.cors, origin)) {
        throw new ProtocolError('forbidden', `Requests from ${origin} are not allowed (see the cors option).`);
      }
      const path = url.pathname;
      const route = path.startsWith(`${base}/`) ? path.slice(base.length + 1) : null;
      if (route !== 'push' && route !== 'pull' && route !== 'poke' && route !== 'digest') throw new ProtocolError('not-found', `No sync route at ${path}.`);
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
      const method = route === 'poke' ? 'GET' : 'POST';
      if (request.method !== method) return json(405, { error: 'method-not-allowed', message: `${route} takes ${method}.` }, { ...cors, allow: method });
      // Browsers send text/plain across sites without a preflight; JSON needs one (or the same origin).
      if (method === 'POST' && !isJson(request.headers.get('content-type'))) {
        throw new ProtocolError('unsupported-media-type', `${route} takes a body of type application/json.`);
      }
      const user = options.authenticate ? await identify(options.authenticate, request, report) : ANONYMOUS_USER;
      const spaces = url.searchParams.getAll('space').map((space) => requireSpace(space));
      if (route === 'poke') return await pokeStream(options, streams, pokeSubscriber(user, spaces, url.searchParams.getAll('clientGroupID')), cors, report);
      // One space per push, pull or digest: its own version, lock and transaction.
      if (spaces.length > 1) throw new ProtocolError('invalid-request', `Invalid request: ${route} takes one space (?space=), not ${spaces.length}.`);
      const context = { user, space: spaces[0] ?? DEFAULT_SPACE };
      const body = await readJson(request, maxBodyBytes);
      if (route === 'push') {
        await options.core.push(parsePushRequest(body), context);
        return json(200, {}, cors);
      }
      if (route === 'digest') return json(200, await options.core.digest(parseDigestRequest(body), context), cors);
      return json(200, await options.core.pull(parsePullRequest(body), context), cors);
    } catch (error) {
      if (error instanceof ProtocolError) return errorResponse(error, cors);
      if (error instanceof BackendUnavailableError) {
        report({ code: 'database-unavailable', message: error.message, cause: error });
        return errorResponse(new ProtocolError('unavailable', 'The database is unavailable for the moment; the request can be retried.'), { ...cors, 'retry-after': '1' });
      }
      // The client went away (closed the tab, aborted the upload): nothing failed here, and nobody
      // hears the answer, so there is nothing to report.
      if (!request.signal.aborted) {
        report({ code: 'request-failed', message: `${request.method} ${new URL(request.url).pathname}: ${describe(error)}`, cause: error });
      }
      return json(500, { error: 'internal', message: 'The server failed to handle this request; it changed nothing and can be retried.' }, cors);
    }
  };
  return Object.assign(handler, {
    closeStreams: () => {
      for (const close of [...streams]) close();
    },
  });
}

/** A protocol error as the JSON answer every client reads: `{ error, message }` with its status. */
export function errorResponse(error: ProtocolError, headers: Record<string, string> = {}): Response {
  return json(STATUS[error.code], { ...error.details, error: error.code, message: error.message }, headers);
}

/** The caller, or a 401: refused (null, false), failed (a throw) or not a user (both reported). */
async function identify(authenticate: NonNullable<SyncHandlerOptions['authenticate']>, request: Request, report: ServerErrorHook): Promise<SyncUser> {
  let answer: unknown;
  try {
    answer = await authenticate(request);
  } catch (error) {
    // A throwing hook refuses, like one returning false (401), but it is the server's fault: report it.
    report({ code: 'authenticate-threw', message: `The authenticate hook threw: ${describe(error)}`, cause: error });
    throw new ProtocolError('unauthorized', 'Authentication is missing or was refused.');
  }
  if (answer === null || answer === false) throw new ProtocolError('unauthorized', 'Authentication is missing or was refused.');
  const problem = userProblem(answer);
  if (problem) {
    report({ code: 'authenticate-invalid', message: `The authenticate hook's answer is not a user: ${problem}.` });
    throw new ProtocolError('unauthorized', 'The server could not tell who you are (its authenticate hook answered no user); nothing was read or changed.');
  }
  return answer as SyncUser;
}

/** A Host value as a URL spells it: lower case, and without the default port (`localhost:80` is `localhost`). */
function hostKey(host: string): string {
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return host.toLowerCase();
  }
}

function isJson(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads at most `limit` bytes; a larger body is refused before it is buffered. */
async function readJson(request: Request, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  }
  const text = new TextDecoder().decode(concat(chunks, size));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProtocolError('malformed-json', 'The request body is not valid JSON.');
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

// The limit travels as a field too, so a client can size its next request to fit.
const tooLarge = (limit: number) => new ProtocolError('payload-too-large', `The request body is larger than ${limit} bytes.`, { maxBodyBytes: limit });

/**
 * The poke route's caller: `?space=` once per space (default: `default`) and, optionally,
 * `?clientGroupID=` as many times, the caller's group in the space at the same position (empty:
 * none), so that its pokes carry their change with that group's mutation ids.
 */
function pokeSubscriber(user: SyncUser, named: readonly string[], groups: readonly string[]): PokeSubscriber {
  const spaces = named.length > 0 ? named : [DEFAULT_SPACE];
  if (groups.length === 0) return { user, spaces };
  if (groups.length !== spaces.length) {
    throw new ProtocolError('invalid-request', `Invalid request: the poke stream names ${spaces.length} spaces and ${groups.length} client groups (?clientGroupID= once per ?space=).`);
  }
  const clientGroups: Record<string, string> = {};
  spaces.forEach((space, i) => {
    const group = groups[i] as string;
    if (group !== '') clientGroups[space] = group;
  });
  return { user, spaces, clientGroups };
}

/**
 * Server-sent events: one `poke` event per version committed in a space the caller asked for and may
 * read, its data `{ space, version }` — with, when it is small (`pokeDataLimit`), the version's change
for the caller's group (`protocol/poke.ts`) — and one with `data: gap` after the backend's channel was lost
 * and is back (pokes may have been missed: pull every space). A space the caller may not read is
 * never mentioned. Subscribes before answering, so a channel that cannot be opened is a 503, not a
 * dead stream.
 */
async function pokeStream(
  options: SyncHandlerOptions,
  streams: Set<() => void>,
  subscriber: PokeSubscriber,
  cors: Record<string, string>,
  report: ServerErrorHook,
): Promise<Response> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      cleanup();
    },
  });
  const send = (text: string) => {
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      // The stream was closed under us (the client went away): stop sending.
      cleanup();
    }
  };
  const unsubscribe = await options.core.subscribe(
    subscriber,
    ({ space, version, change }) => send(`event: poke\ndata: ${pokeMessage(space, version, change)}\n\n`),
    () => send(`event: poke\ndata: ${POKE_GAP}\n\n`),
  );
  send(': connected\n\n');
  const heartbeat = setInterval(() => send(': ping\n\n'), options.heartbeatMs ?? 15_000);
  let closed = false;
  cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    streams.delete(cleanup);
    unsubscribe().catch((error: unknown) => report({ code: 'request-failed', message: `Ending a poke stream failed: ${describe(error)}`, cause: error }));
    try {
      controller.close();
    } catch {
      // Already closed by the client.
    }
  };
  streams.add(cleanup);
  return new Response(body, {
    status: 200,
    headers: { ...cors, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
  });
}

function originAllowed(cors: SyncHandlerOptions['cors'], origin: string): boolean {
  if (!cors) return false;
  if (cors.origin === '*') return true;
  return typeof cors.origin === 'function' ? cors.origin(origin) : cors.origin.includes(origin);
}

function corsHeaders(cors: SyncHandlerOptions['cors'], origin: string | null): Record<string, string> {
  if (!cors || origin === null || !originAllowed(cors, origin)) return {};
  return {
    'access-control-allow-origin': cors.origin === '*' ? '*' : origin,
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'content-type, authorization',
    'access-control-max-age': '600',
    vary: 'origin',
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...headers, 'content-type': 'application/json' } });
}
