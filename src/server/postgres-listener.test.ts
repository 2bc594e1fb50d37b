import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError } from './backend.js';
import { createListenChannel, type ListenConnection } from './postgres-listener.js';
import type { ServerProblem } from './problems.js';

/** A pg.Client stand-in: connects or refuses as told, and can be "terminated" by the test. */
class FakeClient extends EventEmitter implements ListenConnection {
  ended = false;
  constructor(private readonly refuse: boolean) {
    super();
  }
  async connect() {
    if (this.refuse) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  }
  async query() {}
  async end() {
    this.ended = true;
  }
  terminate() {
    this.emit('error', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));
    this.emit('end');
  }
}

/** Timers the test runs by hand, recording each delay. */
function manualTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    delays: [] as number[],
    pending,
    setTimeout(fn: () => void, ms: number) {
      this.delays.push(ms);
      const timer = { fn, ms };
      pending.push(timer);
      return timer;
    },
    clearTimeout(handle: unknown) {
      pending.splice(pending.indexOf(handle as (typeof pending)[number]), 1);
    },
    async runNext() {
      pending.shift()?.fn();
      // Let the attempt's promise chain settle.
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}

function channel(refusals: boolean[]) {
  const clients: FakeClient[] = [];
  const problems: ServerProblem[] = [];
  const restored: number[] = [];
  const timers = manualTimers();
  const ch = createListenChannel({
    client: () => {
      const client = new FakeClient(refusals.shift() ?? false);
      clients.push(client);
      return client;
    },
    channel: 'kalphite_poke',
    onNotification: () => {},
    onRestored: () => restored.push(clients.length),
    onError: (p) => problems.push(p),
    reconnect: { baseMs: 10, maxMs: 40 },
    timers,
  });
  return { ch, clients, problems, restored, timers };
}

describe('the LISTEN channel', () => {
  it('a first connection that fails rejects as unavailable, is not cached, and is retried on its timer', async () => {
    const { ch, timers, restored } = channel([true, true]);
    await expect(ch.ready()).rejects.toBeInstanceOf(BackendUnavailableError);
    // While waiting, ready() fails fast with the same error rather than hanging.
    await expect(ch.ready()).rejects.toThrow(/ECONNREFUSED/);
    await timers.runNext();
    await expect(ch.ready()).rejects.toBeInstanceOf(BackendUnavailableError);
    await timers.runNext();
    await expect(ch.ready()).resolves.toBeUndefined();
    expect(timers.delays).toEqual([10, 20]);
    expect(restored).toEqual([]);
    await ch.close();
  });

  it('a lost connection is reported, reopened with doubling backoff, and heard as restored', async () => {
    const { ch, clients, problems, restored, timers } = channel([false, true, true, false]);
    await ch.ready();
    clients[0]!.terminate();
    expect(problems).toMatchObject([{ code: 'poke-channel-lost', message: expect.stringContaining('administrator command') }]);
    expect(clients[0]!.ended).toBe(true);
    await expect(ch.ready()).rejects.toBeInstanceOf(BackendUnavailableError);
    for (let i = 0; i < 3; i++) await timers.runNext();
    expect(timers.delays).toEqual([10, 20, 40]);
    expect(restored).toEqual([4]);
    await expect(ch.ready()).resolves.toBeUndefined();
    // A later loss starts from the base delay again.
    clients[3]!.terminate();
    expect(timers.delays.at(-1)).toBe(10);
    await ch.close();
    expect(timers.pending).toEqual([]);
  });
});
