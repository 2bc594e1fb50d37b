import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError } from '../protocol/errors.js';

/**
 * A `node:http` request as a fetch `Request`, and what becomes of the body the handler did not read.
 *
 * - Methods fetch cannot carry (TRACE, TRACK, CONNECT) and a Host or target that is no URL are
 *   refused here with a ProtocolError (405 / 400): `new Request()` would throw on them.
 * - The body is read only when the handler reads it. An answer given before the body was read in
 *   full (401, 413) would leave the client blocked on a keep-alive connection until the server's
 *   idle timeout: a small rest is drained, anything else closes the connection after the answer.
 * - The request's `signal` aborts when the client goes away before the answer is complete, so the
 *   handler can tell a client's abort from a server fault.
 */
export interface NodeFetchRequest {
  readonly request: Request;
  /**
   * Call once the answer is ready, before writing its head: `close` when the connection must end
   * after the answer (an unread body too large to drain, or of unknown length).
   */
  settleBody(): 'keep-alive' | 'close';
}

/** Bodies up to this many unread bytes are read and dropped after an early answer. */
export const DRAIN_LIMIT_BYTES = 64 * 1024;

/** Methods the fetch standard forbids in a Request (`new Request()` throws on them). */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

export function toFetchRequest(req: IncomingMessage, res: ServerResponse, fallbackHost: string): NodeFetchRequest {
  const method = req.method ?? 'GET';
  if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new ProtocolError('method-not-allowed', `${method} is not a method this server answers.`);
  const url = requestUrl(req, fallbackHost);

  const abort = new AbortController();
  const clientGone = () => abort.abort(new Error('The client closed the connection before the answer was complete.'));
  // Without an 'error' listener a client's abort mid-body would be an uncaught exception.
  req.once('error', clientGone);
  res.once('close', () => {
    if (!res.writableFinished) clientGone();
  });

  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? lazyBody(req) : null;
  const request = new Request(url, {
    method,
    headers,
    signal: abort.signal,
    ...(body && { body: body.stream, duplex: 'half' }),
  } as RequestInit);

  return {
    request,
    settleBody: () => {
      if (!body || req.readableEnded) return 'keep-alive';
      body.detach();
      const declared = Number(req.headers['content-length'] ?? Number.NaN);
      // All of it already arrived, or little is left: flowing with no 'data' listener drops the rest.
      if (req.complete || declared <= DRAIN_LIMIT_BYTES) {
        req.resume();
        return 'keep-alive';
      }
      return 'close';
    },
  };
}

/** The request's URL from its Host and target; a 400 when they do not make one. */
function requestUrl(req: IncomingMessage, fallbackHost: string): URL {
  const host = req.headers.host ?? fallbackHost;
  const target = req.url ?? '/';
  try {
    // A target must be a path: an absolute-form target (`GET http://…`) is refused with the rest.
    if (!target.startsWith('/')) throw new TypeError('not a path');
    const url = new URL(`http://${host}${target}`);
    if (url.host.toLowerCase() !== host.toLowerCase().replace(/:80$/, '')) throw new TypeError('host changed on parsing');
    return url;
  } catch {
    throw new ProtocolError('invalid-request', `The Host header ${JSON.stringify(host)} and target ${JSON.stringify(target)} do not make a URL.`);
  }
}

/**
 * The body as a web stream that starts reading `req` only when pulled: a body nobody reads is never
 * marked as being consumed, so node can drop it after the answer.
 */
function lazyBody(req: IncomingMessage): { readonly stream: ReadableStream<Uint8Array>; detach(): void } {
  let detach = () => {};
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (req.listenerCount('data') === 0) {
        const onData = (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) req.pause();
        };
        const onEnd = () => {
          detach();
          controller.close();
        };
        const onError = (error: Error) => {
          detach();
          controller.error(error);
        };
        detach = () => {
          req.off('data', onData);
          req.off('end', onEnd);
          req.off('error', onError);
          req.pause();
        };
        req.on('data', onData);
        req.once('end', onEnd);
        req.once('error', onError);
      }
      req.resume();
    },
    cancel() {
      // The handler stopped reading (a body over the limit): the adapter settles the rest.
      detach();
    },
  });
  return { stream, detach: () => detach() };
}
