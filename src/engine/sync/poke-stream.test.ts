import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultEnvironment } from '../environment.js';
import { KalphiteError } from '../errors.js';
import type { KalphiteEvent, PokeState } from '../events.js';
import { PokeStream } from './poke-stream.js';
import { SyncHttpError } from './transport.js';

/** A server stand-in: each connect takes the next answer; an open stream can be sent pokes, ended or cut. */
class FakePokeServer {
  connects = 0;
  signals: AbortSignal[] = [];
  /** What the next connects do, in order; once empty, they open a stream. */
  answers: Array<'open' | Error> = [];
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;

  connect = async (signal: AbortSignal): Promise<ReadableStream<Uint8Array>> => {
    this.connects++;
    this.signals.push(signal);
    const answer = this.answers.shift() ?? 'open';
    if (answer instanceof Error) throw answer;
    return new ReadableStream<Uint8Array>({ start: (controller) => void (this.#controller = controller) });
  };

  /** A poke as the server sends it: `data: {"space","version"}`. */
  poke(space: string, version: number): void {
    this.send(`event: poke\ndata: ${JSON.stringify({ space, version })}\n\n`);
  }

  send(text: string): void {
    this.#controller?.enqueue(new TextEncoder().encode(text));
  }

  end(): void {
    this.#controller?.close();
  }

  cut(): void {
    this.#controller?.error(new TypeError('terminated'));
  }
}

const refused = (status: number) => new SyncHttpError('poke', status, JSON.stringify({ message: `status ${status}` }));

function setup(enabled = true) {
  const server = new FakePokeServer();
  const events: KalphiteEvent[] = [];
  const states: PokeState[] = [];
  const pokes: Array<string | null> = [];
  const env = { ...defaultEnvironment(), random: () => 0.5 };
  const stream = new PokeStream({
    enabled,
    connect: server.connect,
    onPoke: (poke) => pokes.push(poke.space),
    onState: (state) => states.push(state),
    retry: { baseMs: 100, maxMs: 1000 },
    env,
    emit: (event) => events.push({ ...event, at: env.now() } as KalphiteEvent),
  });
  const failures = () => events.filter((e): e is Extract<KalphiteEvent, { type: 'sync:poke-failed' }> => e.type === 'sync:poke-failed');
  return { server, stream, events, states, failures, poked: pokes };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connecting and pokes', () => {
  it('goes closed → connecting → open; each poke names its space, as an event and a call', async () => {
    const { server, stream, events, states, poked } = setup();
    expect(stream.state).toBe('closed');
    stream.start();
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.connects).toBe(1);
    expect(states).toEqual(['connecting', 'open']);
    server.poke('review:42', 7);
    server.poke('default', 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(poked).toEqual(['review:42', 'default']);
    expect(events.filter((e) => e.type === 'sync:poke')).toMatchObject([
      { space: 'review:42', version: 7 },
      { space: 'default', version: 3 },
    ]);
  });

  it('a poke that names no space (an older server, a gap, a bad space id) is a hint to pull every space', async () => {
    const { server, stream, events, poked } = setup();
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    // An older server's bare version, no data, the server's own gap, a malformed space, broken JSON.
    for (const data of ['data: 12\n', '', 'data: gap\n', 'data: {"space":"no spaces","version":1}\n', 'data: {"space":\n']) server.send(`event: poke\n${data}\n`);
    // Another event (a comment, a keep-alive) is no poke.
    server.send(': keep-alive\n\n');
    server.send('event: ping\ndata: {}\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(poked).toEqual([null, null, null, null, null]);
    expect(events.filter((e) => e.type === 'sync:poke')).toMatchObject(Array.from({ length: 5 }, () => ({ space: null, version: null })));
  });

  it('a poke split across chunks is read once whole', async () => {
    const { server, stream, poked } = setup();
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    server.send('event: poke\ndata: {"space":"org');
    await vi.advanceTimersByTimeAsync(0);
    expect(poked).toEqual([]);
    server.send(':acme","version":5}\n\nevent: poke\ndata: {"space":"b","version":6}\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(poked).toEqual(['org:acme', 'b']);
  });

  it('disabled, it stays off and never connects', async () => {
    const { server, stream } = setup(false);
    stream.start();
    stream.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(stream.state).toBe('off');
    expect(server.connects).toBe(0);
  });
});

describe('reconnection with backoff', () => {
  it('failed connects are reported and retried with a growing backoff; an open stream resets it', async () => {
    const { server, stream, failures, states } = setup();
    server.answers = [new KalphiteError('network', 'down'), new KalphiteError('network', 'down'), 'open'];
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(failures()).toMatchObject([{ status: null, error: { code: 'network' }, retryInMs: 75 }]);
    expect(stream.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(74);
    expect(server.connects).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(failures().map((e) => e.retryInMs)).toEqual([75, 150]);
    await vi.advanceTimersByTimeAsync(150);
    expect(stream.state).toBe('open');
    expect(states).toEqual(['connecting', 'closed', 'connecting', 'closed', 'connecting', 'open']);
    // Open again: the next break starts the backoff from the beginning.
    server.cut();
    await vi.advanceTimersByTimeAsync(0);
    expect(failures().at(-1)).toMatchObject({ error: { code: 'network', message: 'terminated' }, retryInMs: 75 });
    await vi.advanceTimersByTimeAsync(75);
    expect(server.connects).toBe(4);
  });

  it('a stream the server ends cleanly (a restart) reconnects without a failure event', async () => {
    const { server, stream, failures } = setup();
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    server.end();
    await vi.advanceTimersByTimeAsync(0);
    expect(stream.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(75);
    expect(server.connects).toBe(2);
    expect(failures()).toEqual([]);
  });

  it('a 401 is retried with backoff (tokens get refreshed)', async () => {
    const { server, stream, failures } = setup();
    server.answers = [refused(401), refused(401)];
    stream.start();
    await vi.advanceTimersByTimeAsync(75 + 150);
    expect(failures()).toMatchObject([
      { status: 401, retryInMs: 75 },
      { status: 401, retryInMs: 150 },
    ]);
    expect(stream.state).toBe('open');
  });

  it.each([403, 404])('a %i stops reconnecting, reported with retryInMs null; start() tries again', async (status) => {
    const { server, stream, failures } = setup();
    server.answers = [refused(status)];
    stream.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.connects).toBe(1);
    expect(failures()).toMatchObject([{ status, retryInMs: null, error: { code: 'server-error', status } }]);
    expect(stream.state).toBe('closed');
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.connects).toBe(2);
    expect(stream.state).toBe('open');
  });
});

describe('stop (pause, close, offline)', () => {
  it('aborts an open stream at once, without a failure, and does not reconnect', async () => {
    const { server, stream, failures } = setup();
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    stream.stop();
    expect(server.signals[0]!.aborted).toBe(true);
    expect(stream.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.connects).toBe(1);
    expect(failures()).toEqual([]);
  });

  it('cancels the wait between attempts; a quick restart leaves the new stream alone', async () => {
    const { server, stream } = setup();
    server.answers = [new KalphiteError('network', 'down')];
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    stream.stop();
    stream.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.connects).toBe(2);
    expect(stream.state).toBe('open');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.connects).toBe(2);
    expect(stream.state).toBe('open');
  });
});
