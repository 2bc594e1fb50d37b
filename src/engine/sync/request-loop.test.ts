import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultEnvironment } from '../environment.js';
import { KalphiteError } from '../errors.js';
import type { KalphiteEvent } from '../events.js';
import { RequestLoop, RetryAtOnce, type LoopTurn } from './request-loop.js';
import { SyncHttpError } from './transport.js';

/** A delegate that records turns and can be told to fail, to hold a turn open, or to find nothing to send. */
class RecordingDelegate {
  turns = 0;
  sent = 0;
  concurrent = 0;
  maxConcurrent = 0;
  hold: Promise<void> | null = null;
  /** Thrown by the next turns, in order. */
  failures: unknown[] = [];
  /** What a turn that works resolves with: the delay before the next one. */
  next: number | null = null;
  /** A turn that finds nothing to send (an empty outbox) does not begin a request. */
  nothingToSend = false;
  /** Fails before beginning a request (the local db). */
  failBeforeBegin: unknown = null;

  send = async (turn: LoopTurn): Promise<number | null> => {
    this.turns++;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.failBeforeBegin !== null) throw this.failBeforeBegin;
      if (this.nothingToSend) return null;
      turn.begin(3);
      this.sent++;
      if (this.hold) await this.hold;
      if (this.failures.length > 0) throw this.failures.shift();
      return this.next;
    } finally {
      this.concurrent--;
    }
  };
}

const network = () => new KalphiteError('network', 'Could not reach the sync server: down');
const answered = (status: number) => new SyncHttpError('push', status, JSON.stringify({ message: `status ${status}` }));

function setup(options: { halted?: () => boolean } = {}) {
  const delegate = new RecordingDelegate();
  const events: KalphiteEvent[] = [];
  const env = { ...defaultEnvironment(), random: () => 0.5 };
  let ids = 0;
  let idle = 0;
  const loop = new RequestLoop({
    kind: 'push',
    send: delegate.send,
    halted: options.halted ?? (() => false),
    nextRequestId: () => ++ids,
    onIdle: () => idle++,
    retry: { baseMs: 100, maxMs: 1000 },
    env,
    emit: (event) => events.push({ ...event, at: env.now() } as KalphiteEvent),
  });
  const failures = () => events.filter((e): e is Extract<KalphiteEvent, { type: 'sync:request-failed' }> => e.type === 'sync:request-failed');
  return { loop, delegate, events, failures, idle: () => idle };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('single flight', () => {
  it('never runs two turns at once; asks during a turn share one follow-up', async () => {
    const { loop, delegate, idle } = setup();
    let release: () => void = () => {};
    delegate.hold = new Promise((resolve) => (release = resolve));
    const first = loop.run();
    const second = loop.run();
    const third = loop.run();
    expect(second).toBe(third);
    expect(loop.busy).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(delegate.turns).toBe(1);
    release();
    await Promise.all([first, second, third]);
    expect(delegate.turns).toBe(2);
    expect(delegate.maxConcurrent).toBe(1);
    expect(loop.busy).toBe(false);
    // onIdle once the last turn ended, not between the turn and its follow-up.
    expect(idle()).toBe(1);
  });
});

describe('the timer', () => {
  it('runs a turn when it fires, one timer at most, and can be cancelled', async () => {
    const { loop, delegate } = setup();
    loop.schedule(100);
    loop.schedule(50);
    expect(loop.scheduled).toBe(true);
    expect(loop.dueAt).toBe(Date.now() + 50);
    await vi.advanceTimersByTimeAsync(50);
    expect(delegate.turns).toBe(1);
    expect(loop).toMatchObject({ scheduled: false, dueAt: null });
    loop.schedule(10);
    loop.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(delegate.turns).toBe(1);
  });

  it('a turn that works schedules the next one after the delay it names (a pull interval)', async () => {
    const { loop, delegate } = setup();
    delegate.next = 5000;
    await loop.run();
    expect(loop.dueAt).toBe(Date.now() + 5000);
    await vi.advanceTimersByTimeAsync(5000);
    expect(delegate.turns).toBe(2);
  });

  it('a turn run by hand takes the place of the one due on the timer', async () => {
    const { loop, delegate } = setup();
    loop.schedule(100);
    await loop.run();
    await vi.advanceTimersByTimeAsync(200);
    expect(delegate.turns).toBe(1);
  });
});

describe('failures and backoff', () => {
  it('retries with a growing backoff, reports each failure, and forgets them on success', async () => {
    const { loop, delegate, failures } = setup();
    delegate.failures = [network(), network(), network()];
    await expect(loop.run()).rejects.toMatchObject({ code: 'network' });
    expect(loop).toMatchObject({ failures: 1, error: { code: 'network' } });
    await vi.advanceTimersByTimeAsync(75);
    await vi.advanceTimersByTimeAsync(150);
    await vi.advanceTimersByTimeAsync(299);
    expect(delegate.turns).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(delegate.turns).toBe(4);
    expect(failures().map((e) => [e.attempt, e.retryInMs, e.permanent, e.status])).toEqual([
      [1, 75, false, null],
      [2, 150, false, null],
      [3, 300, false, null],
    ]);
    expect(failures().map((e) => e.requestId)).toEqual([1, 2, 3]);
    expect(loop).toMatchObject({ failures: 0, error: null, scheduled: false });
  });

  it('a 401 is retried with backoff (tokens get refreshed)', async () => {
    const { loop, delegate, failures } = setup();
    delegate.failures = [answered(401)];
    await expect(loop.run()).rejects.toBeInstanceOf(SyncHttpError);
    expect(failures()[0]).toMatchObject({ status: 401, permanent: false, retryInMs: 75 });
    expect(loop.stopped).toBeNull();
    await vi.advanceTimersByTimeAsync(75);
    expect(delegate.turns).toBe(2);
  });

  it('RetryAtOnce retries on the next tick without counting a failure; the caller gets the inner error', async () => {
    const { loop, delegate, failures } = setup();
    const tooLarge = answered(413);
    delegate.failures = [new RetryAtOnce(tooLarge)];
    await expect(loop.run()).rejects.toBe(tooLarge);
    expect(failures()[0]).toMatchObject({ status: 413, attempt: 1, retryInMs: 0, permanent: false, error: tooLarge });
    expect(loop.failures).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(delegate.turns).toBe(2);
  });

  it('a failure before a request began (the local db) is reported with an id of its own and retried', async () => {
    const { loop, delegate, failures } = setup();
    delegate.failBeforeBegin = new KalphiteError('db-failed', 'disk on fire');
    await expect(loop.run()).rejects.toMatchObject({ code: 'db-failed' });
    expect(failures()).toMatchObject([{ requestId: 1, error: { code: 'db-failed' }, retryInMs: 75 }]);
    delegate.failBeforeBegin = null;
    await vi.advanceTimersByTimeAsync(75);
    expect(loop.error).toBeNull();
  });

  it('anything thrown becomes a KalphiteError: the event and the caller see the same object', async () => {
    const { loop, delegate, failures } = setup();
    delegate.failures = [new TypeError('not a KalphiteError')];
    const error = await loop.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KalphiteError);
    expect(failures()[0]!.error).toBe(error);
  });
});

describe('the permanent stop', () => {
  it('a 403 stops the loop: no timer, no kick; the caller and the event say so', async () => {
    const { loop, delegate, failures } = setup();
    delegate.failures = [answered(403)];
    await expect(loop.run()).rejects.toMatchObject({ status: 403 });
    expect(failures()[0]).toMatchObject({ status: 403, attempt: 1, retryInMs: null, permanent: true });
    expect(loop.stopped).toMatchObject({ status: 403, count: 3, code: 'server-error' });
    expect(loop.scheduled).toBe(false);
    loop.kick();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(delegate.turns).toBe(1);
  });

  it('resume() ends the stop (the caller decides when to run); kick then sends', async () => {
    const { loop, delegate } = setup();
    delegate.failures = [answered(404)];
    await loop.run().catch(() => {});
    loop.resume();
    expect(loop.stopped).toBeNull();
    expect(delegate.turns).toBe(1);
    loop.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(delegate.turns).toBe(2);
  });

  it('retry() ends the stop and sends at once; run() sends even while stopped, and a success ends the stop', async () => {
    const { loop, delegate } = setup();
    delegate.failures = [answered(400), answered(400)];
    await loop.run().catch(() => {});
    loop.retry();
    await vi.advanceTimersByTimeAsync(0);
    expect(delegate.turns).toBe(2);
    expect(loop.stopped).not.toBeNull();
    await loop.run();
    expect(delegate.turns).toBe(3);
    expect(loop).toMatchObject({ stopped: null, error: null });
  });

  it('a turn with nothing to send ends failures, the error and a stop', async () => {
    const { loop, delegate } = setup();
    delegate.failures = [answered(409)];
    await loop.run().catch(() => {});
    delegate.nothingToSend = true;
    await loop.run();
    expect(loop).toMatchObject({ stopped: null, error: null, failures: 0 });
  });

  it('forget() drops the error and the stop (a reset local db is a new client)', async () => {
    const { loop, delegate } = setup();
    delegate.failures = [answered(403)];
    await loop.run().catch(() => {});
    loop.forget();
    expect(loop).toMatchObject({ stopped: null, error: null });
  });
});

describe('the paused/closed guard', () => {
  it('while halted no turn runs, no timer is set, and a timer set before does nothing', async () => {
    let halted = false;
    const { loop, delegate } = setup({ halted: () => halted });
    loop.schedule(100);
    halted = true;
    await loop.run();
    loop.schedule(10);
    loop.kick();
    await vi.advanceTimersByTimeAsync(1000);
    expect(delegate.turns).toBe(0);
    halted = false;
    await loop.run();
    expect(delegate.turns).toBe(1);
  });

  it('a failure while halted is reported but sets no retry timer', async () => {
    let halted = false;
    const { loop, delegate, failures } = setup({ halted: () => halted });
    let release: () => void = () => {};
    delegate.hold = new Promise((resolve) => (release = resolve));
    delegate.failures = [network()];
    const running = loop.run();
    await vi.advanceTimersByTimeAsync(0);
    halted = true;
    release();
    await expect(running).rejects.toMatchObject({ code: 'network' });
    expect(failures()).toHaveLength(1);
    expect(loop.scheduled).toBe(false);
  });
});
