import { ProtocolError, type ProtocolErrorCode } from '../protocol/errors.js';
import { parsePullRequest } from '../protocol/pull.js';
import { parsePushRequest } from '../protocol/push.js';
import type { SyncCore } from './core.js';

export interface SyncHandlerOptions {
  readonly core: SyncCore;
  /** Where the three routes live (default `/api/sync`): `…/push`, `…/pull`, `…/poke`. */
  readonly basePath?: string;
  /** Return false (or throw) to answer 401. Runs before the body is read. */
  readonly authenticate?: (request: Request) => boolean | Promise<boolean>;
  /** Bodies above this answer 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Origins allowed to call from a browser: `'*'` or a list. None by default (same origin only). */
  readonly cors?: { readonly origin: '*' | readonly string[] };
  /** SSE keep-alive comment interval (default 15 s), so proxies keep idle poke streams open. */
  readonly heartbeatMs?: number;
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
};

/**
 * The sync protocol as one fetch handler (`Request` → `Response`): `node:http` serves it through a
 * thin adapter and MSW calls it directly, so the browser mocks and the real server are one code path.
 */
export function createSyncHandler(options: SyncHandlerOptions): SyncHandler {
  const base = (options.basePath ?? '/api/sync').replace(/\/$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const streams = new Set<() => void>();

  const handler = async (request: Request): Promise<Response> => {
    const cors = corsHeaders(options.cors, request.headers.get('origin'));
    try {
      const path = new URL(request.url).pathname;
      const route = path.startsWith(`${base}/`) ? path.slice(base.length + 1) : null;
      if (route !== 'push' && route !== 'pull' && route !== 'poke') throw new ProtocolError('not-found', `No sync route at ${path}.`);
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
      const method = route === 'poke' ? 'GET' : 'POST';
      if (request.method !== method) return json(405, { error: 'method-not-allowed', message: `${route} takes ${method}.` }, { ...cors, allow: method });
      if (options.authenticate && !(await authenticated(options.authenticate, request))) {
        throw new ProtocolError('unauthorized', 'Authentication is missing or was refused.');
      }
      if (route === 'poke') return pokeStream(options, streams, cors);
      const body = await readJson(request, maxBodyBytes);
      if (route === 'push') {
        await options.core.push(parsePushRequest(body));
        return json(200, {}, cors);
      }
      return json(200, await options.core.pull(parsePullRequest(body)), cors);
    } catch (error) {
      if (error instanceof ProtocolError) return json(STATUS[error.code], { error: error.code, message: error.message }, cors);
      console.error('[kalphite] sync request failed:', error);
      return json(500, { error: 'internal', message: 'The server failed to handle this request; it changed nothing and can be retried.' }, cors);
    }
  };
  return Object.assign(handler, {
    closeStreams: () => {
      for (const close of [...streams]) close();
    },
  });
}

async function authenticated(authenticate: NonNullable<SyncHandlerOptions['authenticate']>, request: Request): Promise<boolean> {
  try {
    return (await authenticate(request)) === true;
  } catch {
    // A throwing hook refuses, like one returning false: the answer is 401 either way.
    return false;
  }
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

const tooLarge = (limit: number) => new ProtocolError('payload-too-large', `The request body is larger than ${limit} bytes.`);

/** Server-sent events: one `poke` event per committed version, carrying no data but the version. */
function pokeStream(options: SyncHandlerOptions, streams: Set<() => void>, cors: Record<string, string>): Response {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      send(': connected\n\n');
      const unsubscribe = await options.core.backend.onPublish((version) => send(`event: poke\ndata: ${version}\n\n`));
      const heartbeat = setInterval(() => send(': ping\n\n'), options.heartbeatMs ?? 15_000);
      cleanup = () => {
        clearInterval(heartbeat);
        streams.delete(cleanup);
        void unsubscribe();
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
      };
      streams.add(cleanup);
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { ...cors, 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' },
  });
}

function corsHeaders(cors: SyncHandlerOptions['cors'], origin: string | null): Record<string, string> {
  if (!cors || origin === null) return {};
  const allowed = cors.origin === '*' || cors.origin.includes(origin);
  if (!allowed) return {};
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
