import { BackendUnavailableError } from './backend.js';
import { isConnectionLoss, unavailable } from './postgres-errors.js';
import type { ServerErrorHook } from './problems.js';

/** The part of a `pg.Client` the channel uses: connect first, then LISTEN, then hear. */
export interface ListenConnection {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string | undefined }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

export interface ListenTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ListenChannelOptions {
  /** A new, unconnected client for each attempt. */
  readonly client: () => ListenConnection;
  readonly channel: string;
  readonly onNotification: (payload: string) => void;
  /** A lost connection is back: notifications sent meanwhile were missed. */
  readonly onRestored: () => void;
  readonly onError: ServerErrorHook;
  /** Reconnect delays: base doubling up to max (default 100 ms … 5 s). */
  readonly reconnect?: { readonly baseMs: number; readonly maxMs: number };
  readonly timers?: ListenTimers;
}

export interface ListenChannel {
  /**
   * Resolves once the channel listens (opening it on first use). Rejects with a
   * `BackendUnavailableError` when it cannot, now; it keeps trying in the background.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One LISTEN connection that outlives connection losses. States:
 *   idle → connecting → listening
 *   connecting → waiting (the attempt failed) → connecting …   after a backoff that doubles
 *   listening → waiting (the connection was lost: reported)    and once listening again, onRestored
 *   any → closed
 * A failure is never cached: `ready()` in `waiting` rejects with the last failure, and the next
 * attempt runs on its timer.
 */
export function createListenChannel(options: ListenChannelOptions): ListenChannel {
  const timers: ListenTimers = options.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const backoff = options.reconnect ?? { baseMs: 100, maxMs: 5_000 };
  type State =
    | { readonly name: 'idle' }
    | { readonly name: 'connecting'; readonly attempt: Promise<void> }
    | { readonly name: 'listening'; readonly client: ListenConnection }
    | { readonly name: 'waiting'; readonly error: BackendUnavailableError; readonly timer: unknown }
    | { readonly name: 'closed' };
  let state: State = { name: 'idle' };
  let failures = 0;
  let lostOnce = false;

  const connect = (): Promise<void> => {
    const client = options.client();
    let settled = false;
    const lost = (error: Error | null) => {
      if (state.name !== 'listening' || state.client !== client) return;
      lostOnce = true;
      options.onError({ code: 'poke-channel-lost', message: `The LISTEN connection was lost (${error?.message ?? 'it ended'}); reconnecting.`, cause: error });
      end(client);
      wait(unavailable('listening for pokes', error ?? new Error('The LISTEN connection ended.')));
    };
    // Listeners before connecting: an error event with none would be an uncaught exception.
    client.on('error', (error) => (settled ? lost(error) : undefined));
    client.on('end', () => (settled ? lost(null) : undefined));
    client.on('notification', (message) => {
      if (message.channel === options.channel && message.payload !== undefined) options.onNotification(message.payload);
    });
    // Started on the next microtask, so the state says `connecting` before anything can fail.
    const attempt = Promise.resolve().then(async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${options.channel}`);
      } catch (error) {
        end(client);
        if (state.name === 'closed') return;
        if (!isConnectionLoss(error)) options.onError({ code: 'poke-channel-lost', message: `LISTEN failed: ${String(error)}`, cause: error });
        const failure = unavailable('opening the LISTEN connection', error);
        wait(failure);
        throw failure;
      }
      settled = true;
      if (state.name === 'closed') {
        end(client);
        return;
      }
      state = { name: 'listening', client };
      failures = 0;
      if (lostOnce) options.onRestored();
    });
    state = { name: 'connecting', attempt };
    return attempt;
  };

  const wait = (error: BackendUnavailableError) => {
    const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** failures++);
    const timer = timers.setTimeout(() => {
      if (state.name !== 'waiting') return;
      // A failed reconnect has already scheduled the next one: nobody awaits this attempt.
      connect().catch(() => {});
    }, delay);
    state = { name: 'waiting', error, timer };
  };

  const end = (client: ListenConnection) => {
    client.end().catch(() => {
      // Ending a connection that is already broken: there is nothing left to close.
    });
  };

  return {
    ready: async () => {
      switch (state.name) {
        case 'idle':
          return connect();
        case 'connecting':
          return state.attempt;
        case 'listening':
          return;
        case 'waiting':
          throw state.error;
        case 'closed':
          throw new BackendUnavailableError('The LISTEN channel is closed.');
      }
    },
    close: async () => {
      const previous = state;
      state = { name: 'closed' };
      if (previous.name === 'waiting') timers.clearTimeout(previous.timer);
      if (previous.name === 'listening') {
        await previous.client.end().catch(() => {
          // A connection that broke as it closed: there is nothing left to close.
        });
      }
      if (previous.name === 'connecting') await previous.attempt.catch(() => {
        // It failed while closing: nothing is open, which is what closing wants.
      });
    },
  };
}
