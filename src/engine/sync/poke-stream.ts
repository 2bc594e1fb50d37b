import { parsePoke, type ChangePoke } from '../../protocol/poke.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import type { Environment } from '../environment.js';
import { KalphiteError, toKalphiteError } from '../errors.js';
import type { EmitEvent, PokeState } from '../events.js';
import { httpStatus } from './transport.js';

export interface PokeStreamOptions {
  /** False: the stream stays `off` for good (the `poke: false` option). */
  readonly enabled: boolean;
  /** Opens the stream (for the spaces of the moment) and resolves to its body once the server answered 2xx (`Transport.stream`). */
  readonly connect: (signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;
  /** Each poke: a space has something new, maybe with its change (space null: any may have; pull every space). */
  readonly onPoke: (poke: ChangePoke, bytes: number) => void;
  /** Each change of `state`. */
  readonly onState: (state: PokeState) => void;
  readonly retry: BackoffOptions;
  readonly env: Environment;
  readonly emit: EmitEvent;
}

/**
 * Keeps one server-sent-events stream open; every `poke` event is a hint to pull a space now, or
 * carries the change that pull would bring (`protocol/poke.ts`). States:
 *
 *   off         poke disabled; never leaves it.
 *   closed      not connected: not started, stopped, between attempts, or given up.
 *   connecting  a request is out.          → open (2xx) | closed (failed: retry after a backoff)
 *   open        the stream is being read.  → closed when it ends or breaks (reconnect after a backoff)
 *
 * `start()` leaves closed for connecting (a no-op while running); `stop()` aborts and goes closed.
 * Every failure is a `sync:poke-failed` event. A 4xx that retrying cannot fix (403, 404) ends the
 * reconnecting until the next `start()`; a 401 is retried with backoff like everything else, since
 * tokens get refreshed. A stream that ends cleanly (server restart) is no failure: it reconnects.
 */
export class PokeStream {
  readonly #o: PokeStreamOptions;
  #state: PokeState;
  #abort: AbortController | null = null;

  constructor(options: PokeStreamOptions) {
    this.#o = options;
    this.#state = options.enabled ? 'closed' : 'off';
  }

  get state(): PokeState {
    return this.#state;
  }

  start(): void {
    if (this.#state === 'off' || this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    void this.#run(abort.signal).finally(() => {
      // A newer stream may already be connecting (restarted quickly): leave its state alone.
      if (this.#abort !== abort) return;
      this.#abort = null;
      this.#setState('closed');
    });
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = null;
    if (this.#state !== 'off') this.#setState('closed');
  }

  /** Never rejects: every failure becomes an event and a retry (or the end of retrying). */
  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      this.#setState('connecting');
      let failed: KalphiteError | null = null;
      try {
        const body = await this.#o.connect(signal);
        if (signal.aborted) return;
        this.#setState('open');
        failures = 0;
        await readEvents(body, signal, (poke, bytes) => {
          this.#o.emit({ type: 'sync:poke', space: poke.space, version: poke.space === null ? null : poke.version });
          this.#o.onPoke(poke, bytes);
        });
      } catch (error) {
        failed = toKalphiteError('network', error);
      }
      // Our own abort (pause, close, offline) is no failure.
      if (signal.aborted) return;
      this.#setState('closed');
      const status = httpStatus(failed);
      const giveUp = status === 403 || status === 404;
      const retryInMs = giveUp ? null : backoffDelay(++failures, this.#o.retry, this.#o.env.random);
      if (failed) this.#o.emit({ type: 'sync:poke-failed', status, error: failed, retryInMs });
      if (retryInMs === null) return;
      await this.#sleep(retryInMs, signal);
    }
  }

  #setState(state: PokeState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#o.onState(state);
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#o.env.setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        this.#o.env.clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Calls `onPoke` for each `poke` event in a server-sent-events stream (with its data's length), until it ends. */
async function readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal, onPoke: (poke: ChangePoke, bytes: number) => void): Promise<void> {
  const reader = body.getReader();
  // An abort cancels the read, so a stopped stream lets go of its connection at once.
  const cancel = () => void reader.cancel().catch(() => {
    // The stream is being given up: a failure to cancel it changes nothing.
  });
  signal.addEventListener('abort', cancel);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n');
        if (!lines.includes('event: poke')) continue;
        const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
        onPoke(parsePoke(data), data?.length ?? 0);
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
