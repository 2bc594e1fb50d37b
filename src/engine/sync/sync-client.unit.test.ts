import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PatchOperation } from '../../protocol/pull.js';
import type { Mutation } from '../../protocol/push.js';
import { defaultEnvironment } from '../environment.js';
import type { KalphiteError } from '../errors.js';
import type { KalphiteEvent } from '../events.js';
import { refusalKey, type LocalSpace, type OutboxEntry, type PullApplication, type PullResult } from '../persist/local-db.js';
import type { Entity } from '../store/entity.js';
import type { Mirror, Outbox } from './ports.js';
import { SyncClient } from './sync-client.js';

const note = (id: string, space: string): Entity => ({ id, type: 'note', data: { id }, space });

/**
 * The outbox as a list of rows, per space as the local db keeps it: each space its own client
 * group (the profile for `default`) and cookie, each (space, client) its own mutation ids. A write
 * adds a row and tells the client, as the replica does after a flush.
 */
class FakeOutbox implements Outbox {
  readonly clientId = 'c1';
  readonly profileId = 'p1';
  readonly appSchemaVersion = 0;
  readonly spaces = new Map<string, LocalSpace>();
  rows: OutboxEntry[] = [];
  /** This client's acknowledged mutation id per space. */
  readonly acknowledged = new Map<string, number>();
  /** Every pull applied, in order. */
  readonly pulls: PullApplication[] = [];
  readonly #next = new Map<string, number>();

  #waiting(): OutboxEntry[] {
    return this.rows.filter((row) => row.mutationId > (this.acknowledged.get(row.space) ?? 0));
  }

  get outboxLength(): number {
    return this.#waiting().length;
  }

  unacknowledgedIn(space: string): number {
    return this.#waiting().filter((row) => row.space === space).length;
  }

  #ensure(space: string): LocalSpace {
    const known = this.spaces.get(space);
    if (known) return known;
    const made: LocalSpace = { space, clientGroupId: space === 'default' ? this.profileId : `group-${space}`, cookie: null, writable: null, generation: 0 };
    this.spaces.set(space, made);
    return made;
  }

  async ensureSpace(space: string): Promise<LocalSpace> {
    return this.#ensure(space);
  }

  write(id: string, space = 'default'): void {
    this.#ensure(space);
    const mutationId = (this.#next.get(space) ?? 0) + 1;
    this.#next.set(space, mutationId);
    this.rows.push({ space, clientId: this.clientId, mutationId, entityId: id, entityType: 'note', op: 'upsert', entity: note(id, space), fields: null, before: null, createdAt: 0 });
  }

  async unsyncedChanges(limit: number): Promise<OutboxEntry[]> {
    return this.#waiting().slice(0, limit);
  }

  async applyPull(input: PullApplication): Promise<PullResult> {
    this.pulls.push(input);
    const { space } = input;
    // A refusal is news for a row still waiting for its answer, as in the local db.
    const waiting = new Set(this.#waiting().map((row) => refusalKey(row.clientId, row.mutationId)));
    const newlyRefused = new Set((input.refused ?? []).map((r) => refusalKey(r.clientId, r.mutationId)).filter((key) => waiting.has(key)));
    const upTo = input.acknowledgeUpTo?.[this.clientId];
    if (upTo !== undefined) this.acknowledged.set(space, Math.max(this.acknowledged.get(space) ?? 0, upTo));
    const known = this.#ensure(space);
    this.spaces.set(space, {
      ...known,
      ...(input.cookie !== undefined && { cookie: input.cookie }),
      ...(input.writable !== undefined && { writable: input.writable }),
    });
    return { applied: new Map(input.writes), skipped: new Map(), newlyRefused, overwritten: [], heldAside: [], released: [] };
  }

  async compact(): Promise<number> {
    return 0;
  }

  async discardUnacknowledged(space: string, count: number): Promise<number> {
    const waiting = this.#waiting()
      .filter((row) => row.space === space)
      .slice(0, count);
    this.rows = this.rows.map((row) => (waiting.includes(row) ? { ...row, op: 'discard', entity: null } : row));
    return waiting.length;
  }

  async dropSpace(space: string): Promise<OutboxEntry[]> {
    const dropped = this.#waiting().filter((row) => row.space === space);
    this.rows = this.rows.filter((row) => row.space !== space);
    this.spaces.delete(space);
    this.acknowledged.delete(space);
    this.#next.delete(space);
    return dropped;
  }
}

/** Memory: the spaces open in it, and their values. */
class FakeMirror implements Mirror {
  readonly values = new Map<string, Entity>();
  readonly open = new Set(['default']);
  get = (id: string) => this.values.get(id);
  *ids(space: string): Iterable<string> {
    for (const [id, value] of this.values) if (value.space === space) yield id;
  }
  isPending = () => false;
  adopt(space: string, writes: Iterable<readonly [string, Entity | undefined]>): number {
    if (!this.open.has(space)) return 0;
    let n = 0;
    for (const [id, value] of writes) {
      if (value) this.values.set(id, { ...value, space });
      else this.values.delete(id);
      n++;
    }
    return n;
  }
}

type PushFault = 'lose-response' | 'drop' | number;

/** One space on the server: its own version, entities and mutation ids per (client group, client). */
class ServerSpace {
  version = 0;
  readonly entities = new Map<string, { value: Entity; version: number }>();
  readonly lastMutationIds = new Map<string, number>();
}

/**
 * A fetch that is the server, one space per `?space=`: applies mutations in id order once per
 * (space, client group, client), acknowledges by pull; pushes can be faulted or held open; a space
 * can refuse pulls (403) or say it is read-only; the poke route streams what `poke()` sends.
 */
class FakeServer {
  readonly spaces = new Map<string, ServerSpace>();
  /** `space/id` of each mutation applied, in order. */
  readonly applied: string[] = [];
  /** Every push and pull: its space and the client group it named. */
  readonly requests: Array<{ route: string; space: string; group: string; ids: number[] }> = [];
  /** Each poke stream opened: the spaces it asked for. */
  readonly pokeStreams: string[][] = [];
  pushes = 0;
  inFlight = 0;
  mostInFlight = 0;
  /** What the next pushes do, in order; once empty, they work. */
  faults: PushFault[] = [];
  /** Pushes wait for this while it is set. */
  hold: Promise<void> | null = null;
  /** Spaces whose pulls answer 403 (the caller may not read them). */
  readonly forbidden = new Set<string>();
  readonly readOnly = new Set<string>();
  /** The server's permission hook fails: its 403s say nothing of a space. */
  aclDown = false;
  /** Spaces whose pushes and pulls answer 500 (their database is down). */
  readonly down = new Set<string>();
  #poke: ReadableStreamDefaultController<Uint8Array> | null = null;

  space(space: string): ServerSpace {
    const known = this.spaces.get(space) ?? new ServerSpace();
    this.spaces.set(space, known);
    return known;
  }

  /** Another client wrote `id` in `space`. */
  put(space: string, id: string): void {
    const s = this.space(space);
    s.entities.set(id, { value: note(id, space), version: ++s.version });
  }

  poke(space: string): void {
    this.#poke?.enqueue(new TextEncoder().encode(`event: poke\ndata: ${JSON.stringify({ space, version: this.space(space).version })}\n\n`));
  }

  pulled = (space?: string) => this.requests.filter((r) => r.route === 'pull' && (space === undefined || r.space === space)).map((r) => r.space);

  fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const route = url.pathname.split('/').at(-1);
    const spaces = url.searchParams.getAll('space');
    if (route === 'poke') {
      this.pokeStreams.push(spaces);
      return new Response(new ReadableStream<Uint8Array>({ start: (controller) => void (this.#poke = controller) }));
    }
    const [space = 'default'] = spaces;
    const body = JSON.parse(String(init?.body)) as { clientGroupID: string; cookie?: number | null; mutations?: Mutation[] };
    this.requests.push({ route: route ?? '', space, group: body.clientGroupID, ids: (body.mutations ?? []).map((m) => m.id) });
    const s = this.space(space);
    if (this.down.has(space)) return json(500, { message: `the database of ${space} is down` });
    if (route === 'pull') {
      if (this.forbidden.has(space)) return json(403, { error: 'forbidden', message: `You may not read ${space}.`, denied: 'read', space });
      if (this.aclDown) return json(403, { error: 'forbidden', message: 'The authorize hook failed.' });
      const since = typeof body.cookie === 'number' ? body.cookie : 0;
      const patch: PatchOperation[] = [...s.entities].filter(([, e]) => e.version > since).map(([key, e]) => ({ op: 'put', key, value: e.value as never }));
      const last = s.lastMutationIds.get(`${body.clientGroupID}/c1`);
      return json(200, { cookie: s.version, lastMutationIDChanges: last ? { c1: last } : {}, patch, writable: !this.readOnly.has(space) });
    }
    if (route !== 'push') return json(404, { message: 'no route' });
    this.pushes++;
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      if (this.hold) await this.hold;
      const fault = this.faults.shift();
      if (fault === 'drop') throw new TypeError('dropped before the server');
      if (typeof fault === 'number') return json(fault, { message: `refused with ${fault}` });
      for (const mutation of body.mutations ?? []) {
        const key = `${body.clientGroupID}/${mutation.clientID}`;
        if (mutation.id !== (s.lastMutationIds.get(key) ?? 0) + 1) continue;
        s.lastMutationIds.set(key, mutation.id);
        s.version++;
        const args = mutation.args as unknown as Entity;
        if (mutation.name === 'upsert') s.entities.set(args.id, { value: args, version: s.version });
        this.applied.push(`${space}/${args.id}`);
      }
      if (fault === 'lose-response') throw new TypeError('connection reset after the server committed');
      return json(200, {});
    } finally {
      this.inFlight--;
    }
  };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function setup(options: { poke?: boolean } = {}) {
  const outbox = new FakeOutbox();
  const mirror = new FakeMirror();
  const server = new FakeServer();
  const events: KalphiteEvent[] = [];
  const lost: Array<{ space: string; error: KalphiteError; dropped: number }> = [];
  const env = { ...defaultEnvironment(), random: () => 0.5, isOnline: () => true, onConnectivityChange: () => () => {} };
  const client = new SyncClient({
    url: 'https://sync.test/api/sync',
    pushDelayMs: 10,
    pullIntervalMs: 60_000,
    pullPageSize: 100,
    pushBatchSize: 50,
    acknowledgedRowsKept: 1000,
    maxPushBytes: 1024 * 1024,
    poke: options.poke ?? false,
    retry: { baseMs: 100, maxMs: 1000 },
    fetch: server.fetch,
    headers: () => ({}),
    outbox,
    mirror,
    defaultSpace: 'default',
    onSpaceLost: (space, error, dropped) => lost.push({ space, error, dropped }),
    env,
    emit: (event) => events.push({ ...event, at: env.now() } as KalphiteEvent),
  });
  /** A write reaches the outbox (a flush), and the replica tells sync. */
  const write = (id: string, space = 'default') => {
    outbox.write(id, space);
    client.schedulePush();
  };
  const spaceStatus = (space: string) => client.status.spaces.find((s) => s.space === space);
  const ofType = <T extends KalphiteEvent['type']>(type: T) => events.filter((e): e is Extract<KalphiteEvent, { type: T }> => e.type === type);
  return { client, outbox, mirror, server, events, lost, write, spaceStatus, ofType };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the push rule, with a fake outbox, mirror and fetch', () => {
  it('after a push whose response was lost, the next write still pushes', async () => {
    const { client, outbox, server, write, spaceStatus } = setup();
    client.start(['default']);
    await vi.advanceTimersByTimeAsync(0);
    server.faults = ['lose-response'];
    write('w0');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.applied).toEqual(['default/w0']);
    expect(client.status.lastError).toMatchObject({ code: 'network' });
    // A pull acknowledges w0 before the retry is due: the retry finds nothing to send.
    await client.pull();
    await vi.advanceTimersByTimeAsync(1000);
    expect(outbox.outboxLength).toBe(0);
    write('w1');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.applied).toEqual(['default/w0', 'default/w1']);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.status).toMatchObject({ unacknowledged: 0, lastError: null, blocked: null });
    expect(spaceStatus('default')).toMatchObject({ acknowledgedMutationId: 2, unacknowledged: 0 });
  });

  it('a write flushed while a retried push is in flight is pushed after it', async () => {
    const { client, outbox, server, write } = setup();
    client.start(['default']);
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
    expect(server.applied).toEqual(['default/first', 'default/second']);
    expect(server.mostInFlight).toBe(1);
    expect(outbox.outboxLength).toBe(0);
  });

  it('a permanent refusal stops pushing until retry() or a new write; dropBlocked() gives the rows up', async () => {
    const { client, server, write, events } = setup();
    client.start(['default']);
    server.faults = [403];
    write('p');
    await vi.advanceTimersByTimeAsync(10);
    expect(client.status.blocked).toMatchObject({ space: 'default', status: 403, mutations: 1, code: 'server-error' });
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
    expect(server.applied).toEqual(['default/p', 'default/q']);
    expect(client.status).toMatchObject({ blocked: null, unacknowledged: 0 });
    expect(events.filter((e) => e.type === 'sync:request-failed' && e.permanent)).toHaveLength(2);
  });

  it('dropBlocked() sends the refused rows as discards; nothing is blocked after', async () => {
    const { client, server, outbox, write } = setup();
    client.start(['default']);
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
    const { client, server, write, ofType } = setup();
    client.start(['default']);
    server.faults = [413];
    for (let i = 0; i < 4; i++) write(`n${i}`);
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.applied).toEqual(['default/n0', 'default/n1', 'default/n2', 'default/n3']);
    const started = ofType('sync:push-started');
    expect(started[0]!.mutations).toBe(4);
    // Half the refused body (with its envelope) holds fewer: the rest follow in later pushes.
    expect(started[1]!.mutations).toBeLessThan(4);
    expect(client.status.blocked).toBeNull();
  });

  it('pause stops every request and timer; resume catches up', async () => {
    const { client, server, write } = setup();
    client.start(['default']);
    await vi.advanceTimersByTimeAsync(0);
    client.pause();
    write('while paused');
    await client.push();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.pushes).toBe(0);
    expect(client.status).toMatchObject({ paused: true, nextPullAt: null, unacknowledged: 1 });
    client.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.applied).toEqual(['default/while paused']);
    await client.close();
  });

  it('setOffline fails requests as unreachable and retries them; back online it catches up at once', async () => {
    const { client, server, write } = setup();
    client.start(['default']);
    await vi.advanceTimersByTimeAsync(0);
    client.setOffline(true);
    expect(client.status).toMatchObject({ online: false, simulatedOffline: true });
    write('o');
    await vi.advanceTimersByTimeAsync(10);
    expect(server.pushes).toBe(0);
    expect(client.status.lastError).toMatchObject({ code: 'network' });
    client.setOffline(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.applied).toEqual(['default/o']);
    expect(client.status).toMatchObject({ online: true, simulatedOffline: false, unacknowledged: 0, lastError: null });
  });
});

describe('spaces: pushes', () => {
  it("each push takes the oldest row's space and sends that space's rows there, as its client group with its own mutation ids", async () => {
    const { client, server, outbox, write, spaceStatus } = setup();
    client.start(['default', 'review:1']);
    await vi.advanceTimersByTimeAsync(0);
    write('a');
    write('r1', 'review:1');
    write('b');
    write('r2', 'review:1');
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(10);
    // Each row once: rows delivered are not sent again while the next space's push goes out.
    expect(server.requests.filter((r) => r.route === 'push')).toEqual([
      { route: 'push', space: 'default', group: 'p1', ids: [1, 2] },
      { route: 'push', space: 'review:1', group: 'group-review:1', ids: [1, 2] },
    ]);
    // Write order holds within each space.
    expect(server.applied).toEqual(['default/a', 'default/b', 'review:1/r1', 'review:1/r2']);
    // Each push asks for a pull of its space, which acknowledges it there.
    expect(outbox.outboxLength).toBe(0);
    expect([spaceStatus('default')?.acknowledgedMutationId, spaceStatus('review:1')?.acknowledgedMutationId]).toEqual([2, 2]);
  });

  it("a space whose pushes fail holds up no other space's pushes", async () => {
    const { client, server, outbox, write } = setup();
    client.start(['default', 'down']);
    await vi.advanceTimersByTimeAsync(0);
    server.down.add('down');
    write('d', 'down');
    write('a');
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.applied).toEqual(['default/a']);
    expect(outbox.unacknowledgedIn('default')).toBe(0);
    server.down.delete('down');
    await vi.advanceTimersByTimeAsync(2000);
    expect(server.applied).toEqual(['default/a', 'down/d']);
    expect(outbox.outboxLength).toBe(0);
  });

  it("a space whose pulls fail keeps no other space from being pulled", async () => {
    const { client, server, mirror } = setup();
    mirror.open.add('down');
    client.start(['default', 'down']);
    await vi.advanceTimersByTimeAsync(0);
    server.down.add('down');
    server.put('default', 'fresh');
    await expect(client.pull()).rejects.toMatchObject({ code: 'server-error' });
    expect(mirror.get('fresh')).toMatchObject({ space: 'default' });
  });

  it('a space refused for good blocks with its name; dropBlocked() discards only that space\'s rows', async () => {
    const { client, server, outbox, write } = setup();
    client.start(['default', 'review:1']);
    await vi.advanceTimersByTimeAsync(0);
    server.faults = [403];
    write('r', 'review:1');
    write('a');
    await vi.advanceTimersByTimeAsync(10);
    expect(client.status.blocked).toMatchObject({ space: 'review:1', status: 403, mutations: 1 });
    expect(await client.dropBlocked()).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(10);
    expect(outbox.rows.map((row) => [row.space, row.entityId, row.op])).toEqual([
      ['review:1', 'r', 'discard'],
      ['default', 'a', 'upsert'],
    ]);
    expect(server.applied).toEqual(['review:1/r', 'default/a']);
    expect(client.status).toMatchObject({ blocked: null, unacknowledged: 0 });
  });
});

describe('spaces: pulls', () => {
  it('pull() pulls every synced space, and closed ones whose writes await acknowledgement, each with its own group and cookie', async () => {
    const { client, server, outbox, mirror, spaceStatus } = setup();
    // review:9 is known locally but neither open nor waiting: it is not pulled.
    await outbox.ensureSpace('review:9');
    // review:2 is closed, with a write whose push never answers.
    server.hold = new Promise(() => {});
    outbox.write('waiting', 'review:2');
    server.put('default', 'd');
    server.put('review:1', 'r');
    server.put('review:1', 's');
    mirror.open.add('review:1');
    client.start(['default', 'review:1']);
    await vi.advanceTimersByTimeAsync(0);
    server.requests.length = 0;
    await client.pull();
    expect(server.requests.filter((r) => r.route === 'pull').map((r) => [r.space, r.group])).toEqual([
      ['default', 'p1'],
      ['review:1', 'group-review:1'],
      ['review:2', 'group-review:2'],
    ]);
    // Each space's cookie is its own version.
    expect([spaceStatus('default')?.cookie, spaceStatus('review:1')?.cookie]).toEqual([1, 2]);
    expect(client.status.spaces.map((s) => [s.space, s.syncing])).toEqual(
      expect.arrayContaining([
        ['default', true],
        ['review:1', true],
        ['review:2', true],
        ['review:9', false],
      ]),
    );
    expect([...mirror.values.keys()].sort()).toEqual(['d', 'r', 's']);
  });

  it("a space's pull lands in memory only while memory holds it; the local db gets it either way", async () => {
    const { client, server, outbox, mirror } = setup();
    server.put('review:1', 'r');
    outbox.write('mine', 'review:1');
    client.start(['default']);
    await vi.advanceTimersByTimeAsync(0);
    await client.pull();
    expect(outbox.pulls.find((p) => p.space === 'review:1')?.writes.has('r')).toBe(true);
    expect(mirror.values.has('r')).toBe(false);
  });

  it('the status shows each space: its group, cookie, writability, unacknowledged rows and acknowledged id', async () => {
    const { client, server, write, spaceStatus, ofType } = setup();
    server.readOnly.add('review:1');
    client.start(['default', 'review:1']);
    await vi.advanceTimersByTimeAsync(0);
    write('a');
    await vi.advanceTimersByTimeAsync(10);
    expect(client.status).toMatchObject({ clientId: 'c1', profileId: 'p1', unacknowledged: 0 });
    expect(spaceStatus('default')).toEqual({
      space: 'default',
      syncing: true,
      clientGroupId: 'p1',
      cookie: 1,
      writable: true,
      unacknowledged: 0,
      acknowledgedMutationId: 1,
      lastPullAt: expect.any(Number),
      lastRefusal: null,
    });
    expect(spaceStatus('review:1')).toMatchObject({ clientGroupId: 'group-review:1', cookie: 0, writable: false, acknowledgedMutationId: 0 });
    // The server's word on writing is news once per change.
    expect(ofType('space:writable').map((e) => [e.space, e.writable])).toEqual([
      ['default', true],
      ['review:1', false],
    ]);
    expect(ofType('sync:pull-succeeded').every((e) => typeof e.space === 'string')).toBe(true);
  });

  it('a poke names one space: only it is pulled; the stream asks for the synced spaces and reconnects when they change', async () => {
    const { client, server, mirror } = setup({ poke: true });
    mirror.open.add('review:1');
    client.start(['default', 'review:1']);
    await vi.advanceTimersByTimeAsync(0);
    // Reconnected once the first pulls made the spaces' client groups, which it names too.
    expect(server.pokeStreams.at(-1)).toEqual(['default', 'review:1']);
    server.requests.length = 0;
    server.put('review:1', 'r');
    server.poke('review:1');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.pulled()).toEqual(['review:1']);
    expect(mirror.values.has('r')).toBe(true);
    // A space opened: a new stream names it too.
    await client.openSpace('review:2');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.pokeStreams.at(-1)).toEqual(['default', 'review:1', 'review:2']);
    client.closeSpace('review:1', false);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.pokeStreams.at(-1)).toEqual(['default', 'review:2']);
    await client.close();
  });
});

describe('spaces: open and close', () => {
  it('openSpace resolves once the first pull of the space has landed, and syncs it from then on', async () => {
    const { client, server, mirror, spaceStatus } = setup();
    client.start(['default']);
    await vi.advanceTimersByTimeAsync(0);
    server.put('review:1', 'r');
    mirror.open.add('review:1');
    let opened = false;
    const open = client.openSpace('review:1').then(() => (opened = true));
    expect(opened).toBe(false);
    await open;
    expect(mirror.values.get('r')).toEqual(note('r', 'review:1'));
    expect(spaceStatus('review:1')).toMatchObject({ syncing: true, cookie: 1 });
    server.requests.length = 0;
    await client.pull();
    expect(server.pulled()).toEqual(['default', 'review:1']);
  });

  it('openSpace offline resolves at once (the local copy is what there is)', async () => {
    const { client, server } = setup();
    client.start(['default']);
    client.setOffline(true);
    await expect(client.openSpace('review:1')).resolves.toBeUndefined();
    expect(server.pulled('review:1')).toEqual([]);
  });

  it('a closed space is no longer pulled once its writes are acknowledged; until then it is', async () => {
    const { client, server, outbox, write } = setup();
    client.start(['default', 'review:1']);
    await vi.advanceTimersByTimeAsync(0);
    server.hold = new Promise(() => {});
    write('r', 'review:1');
    client.closeSpace('review:1', false);
    expect(client.status.spaces.find((s) => s.space === 'review:1')?.syncing).toBe(true);
    server.hold = null;
    // The held push never answers; the write waits in the outbox, so the closed space is still pulled.
    server.requests.length = 0;
    await client.pull();
    expect(server.pulled()).toEqual(['default', 'review:1']);
    // Acknowledged (another push got it there): the next pulls leave it alone.
    server.space('review:1').lastMutationIds.set('group-review:1/c1', 1);
    await client.pull();
    expect(outbox.unacknowledgedIn('review:1')).toBe(0);
    server.requests.length = 0;
    await client.pull();
    expect(server.pulled()).toEqual(['default']);
  });

  it('a space closed with forget is pulled for its acknowledgements only: its values and cookie are written nowhere', async () => {
    const { client, server, outbox } = setup();
    outbox.write('r', 'review:1');
    server.put('review:1', 'other');
    client.start(['default', 'review:1']);
    client.closeSpace('review:1', true);
    server.space('review:1').lastMutationIds.set('group-review:1/c1', 1);
    await client.pull();
    const pull = outbox.pulls.find((p) => p.space === 'review:1');
    expect(pull).toMatchObject({ acknowledgeUpTo: { c1: 1 }, cookie: undefined, keep: null });
    expect(pull?.writes.size).toBe(0);
    expect(outbox.spaces.get('review:1')?.cookie).toBeNull();
    expect(outbox.unacknowledgedIn('review:1')).toBe(0);
  });

  it('a 403 that is not the space refusing this reader (a failed permission hook) keeps the space and its writes', async () => {
    const { client, server, outbox, write, lost } = setup();
    client.start(['default']);
    await vi.advanceTimersByTimeAsync(0);
    server.aclDown = true;
    write('kept');
    await expect(client.pull()).rejects.toMatchObject({ status: 403 });
    expect(lost).toEqual([]);
    expect(outbox.unacknowledgedIn('default')).toBe(1);
    server.aclDown = false;
    client.retry();
    await vi.advanceTimersByTimeAsync(100);
    expect(outbox.outboxLength).toBe(0);
  });

  it('a 403 pull: the space is lost — dropped locally, its unpushed writes reported refused, openSpace rejects forbidden, no more pulls', async () => {
    const { client, server, outbox, lost, ofType } = setup();
    client.start(['default']);
    await vi.advanceTimersByTimeAsync(0);
    server.hold = new Promise(() => {});
    outbox.write('r1', 'review:1');
    outbox.write('r2', 'review:1');
    outbox.write('a');
    server.forbidden.add('review:1');
    await expect(client.openSpace('review:1')).rejects.toMatchObject({ code: 'forbidden' });
    expect(lost).toMatchObject([{ space: 'review:1', dropped: 2, error: { code: 'forbidden' } }]);
    expect(ofType('space:lost')).toMatchObject([{ space: 'review:1', droppedWrites: 2 }]);
    expect(ofType('sync:refused').map((e) => [e.space, e.clientId, e.mutationId])).toEqual([
      ['review:1', 'c1', 1],
      ['review:1', 'c1', 2],
    ]);
    expect(outbox.rows.map((row) => row.entityId)).toEqual(['a']);
    expect(client.status.spaces.map((s) => s.space)).toEqual(['default']);
    server.requests.length = 0;
    await client.pull();
    expect(server.pulled()).toEqual(['default']);
    // The other space syncs on.
    expect(client.status.lastError).toBeNull();
  });
});
