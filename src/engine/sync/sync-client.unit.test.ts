import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Cookie } from '../../protocol/pull.js';
import type { Mutation } from '../../protocol/push.js';
import { defaultEnvironment } from '../environment.js';
import type { KalphiteEvent } from '../events.js';
import type { OutboxEntry, PullApplication, PullResult } from '../persist/local-db.js';
import type { Entity } from '../store/entity.js';
import type { Mirror, Outbox } from './ports.js';
import { SyncClient } from './sync-client.js';

/** The outbox as a list of rows; a write adds one and tells the client, as the replica does after a flush. */
class FakeOutbox implements Outbox {
  readonly clientId = 'c1';
  readonly clientGroupId = 'g1';
  cookie: Cookie = null;
  rows: OutboxEntry[] = [];
  acknowledged = 0;
  #next = 1;

  get outboxLength(): number {
    return this.rows.filter((row) => row.mutationId > this.acknowledged).length;
  }

  write(id: string): void {
    const entity: Entity = { id, type: 'note', data: { id } };
    this.rows.push({ clientId: this.clientId, mutationId: this.#next++, entityId: id, entityType: 'note', op: 'upsert', entity, createdAt: 0 });
  }

  async unsyncedChanges(limit: number): Promise<OutboxEntry[]> {
    return this.rows.filter((row) => row.mutationId > this.acknowledged).slice(0, limit);
  }

  async applyPull(input: PullApplication): Promise<PullResult> {
    const upTo = input.acknowledgeUpTo?.[this.clientId];
    if (upTo !== undefined) this.acknowledged = Math.max(this.acknowledged, upTo);
    if (input.cookie !== undefined) this.cookie = input.cookie;
    return { applied: new Map(input.writes), skipped: new Map() };
  }

  async compact(): Promise<number> {
    return 0;
  }

  async discardUnacknowledged(count: number): Promise<number> {
    const waiting = this.rows.filter((row) => row.mutationId > this.acknowledged).slice(0, count);
    this.rows = this.rows.map((row) => (waiting.includes(row) ? { ...row, op: 'discard', entity: null } : row));
    return waiting.length;
  }
}

class FakeMirror implements Mirror {
  readonly values = new Map<string, Entity>();
  get = (id: string) => this.values.get(id);
  ids = () => this.values.keys();
  isPending = () => false;
  adopt(writes: Iterable<readonly [string, Entity | undefined]>): number {
    let n = 0;
    for (const [id, value] of writes) {
      if (value) this.values.set(id, value);
      else this.values.delete(id);
      n++;
    }
    return n;
  }
}

type PushFault = 'lose-response' | 'drop' | number;

/** A fetch that is the server: applies mutations in id order once, acknowledges by pull; pushes can be faulted or held open. */
class FakeServer {
  lastMutationId = 0;
  version = 0;
  readonly applied: string[] = [];
  pushes = 0;
  inFlight = 0;
  mostInFlight = 0;
  /** What the next pushes do, in order; once empty, they work. */
  faults: PushFault[] = [];
  /** Pushes wait for this while it is set. */
  hold: Promise<void> | null = null;

  fetch: typeof fetch = async (input, init) => {
    const route = String(input).split('/').at(-1);
    if (route === 'pull') return json(200, { cookie: this.version, lastMutationIDChanges: this.lastMutationId > 0 ? { c1: this.lastMutationId } : {}, patch: [] });
    if (route !== 'push') return json(404, { message: 'no route' });
    this.pushes++;
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      if (this.hold) await this.hold;
      const fault = this.faults.shift();
      if (fault === 'drop') throw new TypeError('dropped before the server');
      if (typeof fault === 'number') return json(fault, { message: `refused with ${fault}` });
      const { mutations } = JSON.parse(String(init?.body)) as { mutations: Mutation[] };
      for (const mutation of mutations) {
        if (mutation.id !== this.lastMutationId + 1) continue;
        this.lastMutationId = mutation.id;
        this.version++;
        this.applied.push((mutation.args as { id: string }).id);
      }
      if (fault === 'lose-response') throw new TypeError('connection reset after the server committed');
      return json(200, {});
    } finally {
      this.inFlight--;
    }
  };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function setup() {
  const outbox = new FakeOutbox();
  const mirror = new FakeMirror();
  const server = new FakeServer();
  const events: KalphiteEvent[] = [];
  const env = { ...defaultEnvironment(), random: () => 0.5, isOnline: () => true, onConnectivityChange: () => () => {} };
  const client = new SyncClient({
    url: 'https://sync.test/api/sync',
    pushDelayMs: 10,
    pullIntervalMs: 60_000,
    pullPageSize: 100,
    pushBatchSize: 50,
    acknowledgedRowsKept: 1000,
    maxPushBytes: 1024 * 1024,
    poke: false,
    retry: { baseMs: 100, maxMs: 1000 },
    fetch: server.fetch,
    headers: () => ({}),
    outbox,
    mirror,
    env,
    emit: (event) => events.push({ ...event, at: env.now() } as KalphiteEvent),
  });
  /** A write reaches the outbox (a flush), and the replica tells sync. */
  const write = (id: string) => {
    outbox.write(id);
    client.schedulePush();
  };
  return { client, outbox, server, events, write };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the push rule, with a fake outbox, mirror and fetch', () => {
  it('after a push whose response was lost, the next write still pushes', async () => {
    const { client, outbox, server, write } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    server.faults = ['lose-response'];
    write('w0');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.applied).toEqual(['w0']);
    expect(client.status.lastError).toMatchObject({ code: 'network' });
    // A pull acknowledges w0 before the retry is due: the retry finds nothing to send.
    await client.pull();
    await vi.advanceTimersByTimeAsync(1000);
    expect(outbox.outboxLength).toBe(0);
    write('w1');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.applied).toEqual(['w0', 'w1']);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.status).toMatchObject({ unacknowledged: 0, lastError: null, acknowledgedMutationId: 2, blocked: null });
  });

  it('a write flushed while a retried push is in flight is pushed after it', async () => {
    const { client, outbox, server, write } = setup();
    client.start();
    server.faults = ['drop'];
    write('first');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.pushes).toBe(1);
    let release: () => void = () => {};
    server.hold = new Promise((resolve) => (release = resolve));
    await vi.advanceTimersByTimeAsync(75);
    expect(client.status.pushing).toBe(true);
    write('second');
    server.hold = null;
    release();
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(10);
    expect(server.applied).toEqual(['first', 'second']);
    expect(server.mostInFlight).toBe(1);
    expect(outbox.outboxLength).toBe(0);
  });

  it('a permanent refusal stops pushing until retry() or a new write; dropBlocked() gives the rows up', async () => {
    const { client, server, write, events } = setup();
    client.start();
    server.faults = [403];
    write('p');
    await vi.advanceTimersByTimeAsync(10);
    expect(client.status.blocked).toMatchObject({ status: 403, mutations: 1, code: 'server-error' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.pushes).toBe(1);

    server.faults = [403];
    client.retry();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.pushes).toBe(2);
    expect(client.status.blocked).not.toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.pushes).toBe(2);

    // A new write ends the stop: both rows go.
    write('q');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.applied).toEqual(['p', 'q']);
    expect(client.status).toMatchObject({ blocked: null, unacknowledged: 0 });
    expect(events.filter((e) => e.type === 'sync:request-failed' && e.permanent)).toHaveLength(2);
  });

  it('dropBlocked() sends the refused rows as discards; nothing is blocked after', async () => {
    const { client, server, outbox, write } = setup();
    client.start();
    server.faults = [400];
    write('bad');
    await vi.advanceTimersByTimeAsync(10);
    expect(await client.dropBlocked()).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.rows[0]).toMatchObject({ op: 'discard' });
    expect(client.status).toMatchObject({ blocked: null, unacknowledged: 0 });
    expect(await client.dropBlocked()).toBe(0);
  });

  it('a 413 splits the push and never blocks while more than one mutation is in it', async () => {
    const { client, server, write, events } = setup();
    client.start();
    server.faults = [413];
    for (let i = 0; i < 4; i++) write(`n${i}`);
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.applied).toEqual(['n0', 'n1', 'n2', 'n3']);
    const started = events.filter((e): e is Extract<KalphiteEvent, { type: 'sync:push-started' }> => e.type === 'sync:push-started');
    expect(started[0]!.mutations).toBe(4);
    // Half the refused body (with its envelope) holds fewer: the rest follow in later pushes.
    expect(started[1]!.mutations).toBeLessThan(4);
    expect(client.status.blocked).toBeNull();
  });

  it('pause stops every request and timer; resume catches up', async () => {
    const { client, server, write } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    client.pause();
    write('while paused');
    await client.push();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.pushes).toBe(0);
    expect(client.status).toMatchObject({ paused: true, nextPullAt: null, unacknowledged: 1 });
    client.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.applied).toEqual(['while paused']);
    await client.close();
  });

  it('setOffline fails requests as unreachable and retries them; back online it catches up at once', async () => {
    const { client, server, write } = setup();
    client.start();
    await vi.advanceTimersByTimeAsync(0);
    client.setOffline(true);
    expect(client.status).toMatchObject({ online: false, simulatedOffline: true });
    write('o');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.pushes).toBe(0);
    expect(client.status.lastError).toMatchObject({ code: 'network' });
    client.setOffline(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.applied).toEqual(['o']);
    expect(client.status).toMatchObject({ online: true, simulatedOffline: false, unacknowledged: 0, lastError: null });
  });
});
