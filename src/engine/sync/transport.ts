import { KalphiteError } from '../errors.js';

/** The routes under the sync URL: JSON POSTs (push, pull, the divergence check's digest) and the poke stream. */
export type SyncRoute = 'push' | 'pull' | 'digest' | 'poke';

/**
 * The server answered, but not with a 2xx. `status` is the HTTP status; `maxBodyBytes` is the body
 * limit a 413 names (its JSON `maxBodyBytes`), so a push can shrink to fit it.
 */
export class SyncHttpError extends KalphiteError {
  readonly status: number;
  readonly maxBodyBytes: number | null;
  /** A 403's `denied` (`'read'`: the caller may not read the space), telling it from other 403s. */
  readonly denied: string | null;

  constructor(route: SyncRoute, status: number, text: string) {
    super('server-error', `The sync server answered ${status} to ${route}: ${serverMessage(text)}`);
    this.status = status;
    this.maxBodyBytes = status === 413 ? limitIn(text) : null;
    this.denied = status === 403 ? deniedIn(text) : null;
  }
}

/** The HTTP status an error carries (a `SyncHttpError`), else null: the server was never heard. */
export function httpStatus(error: unknown): number | null {
  return error instanceof SyncHttpError ? error.status : null;
}

/**
 * A 4xx that asking again cannot fix. Not 401 (tokens get refreshed), 408 or 429 (asking later
 * works). A 413 is permanent once a push is down to one mutation (the push splits before that).
 */
export function isPermanent(status: number | null): status is number {
  return status !== null && status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

export interface TransportOptions {
  /** Base URL of the sync routes, without a trailing slash. */
  readonly url: string;
  readonly fetch: typeof fetch;
  /** Extra request headers (auth), asked for before every request: a refreshed token is used at once. */
  readonly headers: () => Record<string, string> | Promise<Record<string, string>>;
  /** Each POST says whether the server was reached (an answer, even a 500) or not (no answer, a cut one). */
  readonly onReachable: (reachable: boolean) => void;
}

/**
 * The HTTP side of sync. Every failure is a `KalphiteError`: `network` when no whole answer
 * arrived (unreachable, offline, cut in the middle of the body), `server-error` (a `SyncHttpError`
 * with its status) when the server answered with something other than a 2xx.
 */
export class Transport {
  readonly #o: TransportOptions;
  #offline = false;

  constructor(options: TransportOptions) {
    this.#o = options;
  }

  /** `setOffline(true)` is in force: every request fails as unreachable, as in a real outage. */
  get offline(): boolean {
    return this.#offline;
  }

  setOffline(offline: boolean): void {
    this.#offline = offline;
  }

  /** POSTs a JSON body to a route; resolves to the text of a 2xx answer. */
  async post(route: 'push' | 'pull' | 'digest', space: string, body: string): Promise<string> {
    const response = await this.#fetch(`${route}?space=${encodeURIComponent(space)}`, route, (headers) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }), true);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The connection was cut in the middle of the answer: the network's fault, not the server's.
      this.#o.onReachable(false);
      throw new KalphiteError('network', `The connection to the sync server broke during its answer to ${route}: ${messageOf(error)}`, { cause: error });
    }
    this.#o.onReachable(true);
    if (!response.ok) throw new SyncHttpError(route, response.status, text);
    return text;
  }

  /**
   * Opens a streaming GET (the poke stream; `clientGroups`: one per space, or none) and resolves once its headers arrived, with its body
   * unread. It does not move reachability: the stream's own state says whether it is connected, and
   * an abort (pause, close) is not an outage.
   */
  async stream(route: 'poke', spaces: readonly string[], signal: AbortSignal, clientGroups: readonly string[] = []): Promise<ReadableStream<Uint8Array>> {
    // Each space's client group at its position (empty: none yet), so pokes carry that group's change.
    const groups = clientGroups.map((group) => `&clientGroupID=${encodeURIComponent(group)}`).join('');
    const query = spaces.map((space) => `space=${encodeURIComponent(space)}`).join('&') + groups;
    const response = await this.#fetch(`${route}?${query}`, route, (headers) => ({ headers, signal }), false);
    if (!response.ok) {
      // An error answer is short JSON: read it for its message (a cut one just says less).
      const text = await response.text().catch((error: unknown) => `(the answer broke: ${messageOf(error)})`);
      throw new SyncHttpError(route, response.status, text);
    }
    if (!response.body) throw new KalphiteError('protocol', `The sync server answered ${route} without a body.`);
    return response.body;
  }

  /** `reports`: whether the outcome moves reachability (POSTs do, the poke stream does not). */
  async #fetch(path: string, route: SyncRoute, init: (headers: Record<string, string>) => RequestInit, reports: boolean): Promise<Response> {
    if (this.#offline) {
      if (reports) this.#o.onReachable(false);
      throw new KalphiteError('network', 'Could not reach the sync server: offline (simulated by setOffline).');
    }
    try {
      // Inside the try, as the fetch: a headers hook that fails (no token yet) is retried like an outage.
      return await this.#o.fetch(`${this.#o.url}/${path}`, init(await this.#o.headers()));
    } catch (error) {
      if (reports) this.#o.onReachable(false);
      throw new KalphiteError('network', `Could not reach the sync server: ${messageOf(error)}`, { cause: error });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function deniedIn(text: string): string | null {
  try {
    const body = JSON.parse(text) as { denied?: unknown };
    return typeof body.denied === 'string' ? body.denied : null;
  } catch {
    // Not JSON: a 403 that says nothing more.
    return null;
  }
}

/** The limit a 413 names (`maxBodyBytes`), if it names a usable one. */
function limitIn(text: string): number | null {
  try {
    const body = JSON.parse(text) as { maxBodyBytes?: unknown };
    return typeof body.maxBodyBytes === 'number' && Number.isSafeInteger(body.maxBodyBytes) && body.maxBodyBytes > 0 ? body.maxBodyBytes : null;
  } catch {
    // Not JSON: the caller halves its body instead.
    return null;
  }
}

function serverMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON: show the start of the text instead.
  }
  return text.slice(0, 200) || '(empty body)';
}
