import type { PGliteInterface } from '@electric-sql/pglite';
import { describe, expect, it, vi } from 'vitest';
import { freshPGlite } from '../test-support/pglite.js';
import { defaultEnvironment } from './environment.js';
import type { KalphiteEvent } from './events.js';
import { LocalReplica, type ReplicaContext } from './replica.js';
import type { Entity } from './store/entity.js';
import { MemoryStore } from './store/store.js';

const note = (id: string, text: string, space = 'default'): Entity => ({ id, type: 'note', data: { text }, space });
const op = (id: string, text: string, space = 'default') => ({ id, type: 'note', entity: note(id, text, space), before: null });

const pathOf = (input: RequestInfo | URL) => new URL(String(input)).pathname;

/** A local replica alone: its PGlite, memory, a flusher stand-in and a fetch that records pushes. */
async function setup({ ownDatabase = false, pglite, initial = ['default'] }: { ownDatabase?: boolean; pglite?: PGliteInterface; initial?: string[] } = {}) {
  const events: KalphiteEvent[] = [];
  const pushes: { space: string | null; body: { clientGroupID: string; mutations: { clientID: string; id: number }[] } }[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const push = pathOf(input).endsWith('/push');
    if (push) pushes.push({ space: new URL(String(input)).searchParams.get('space'), body: JSON.parse(String(init?.body)) as (typeof pushes)[number]['body'] });
    // Every pull answers "nothing new": the replica is tested without a server.
    return Response.json(push ? {} : { cookie: 1, lastMutationIDChanges: {}, patch: [] });
  }) as unknown as typeof globalThis.fetch;
  const store = new MemoryStore();
  const flusher = { isPending: () => false,
    localWrite: () => undefined, settled: async () => {}, discard: vi.fn(), snapshot: () => ({ pending: [], dueAt: null, inFlight: null, failures: 0 }) };
  const open = new Set(initial);
  const context: ReplicaContext = {
    settings: {
      dataDir: 'memory://',
      // Its own database (closed with it), or a clone of the test template (the test closes it).
      pglite: ownDatabase ? undefined : (pglite ?? (await freshPGlite())),
      env: defaultEnvironment(),
      sync: { url: 'http://sync.test', pushDelayMs: 0, pullIntervalMs: 60_000, pullPageSize: 100, pushBatchSize: 500, acknowledgedRowsKept: 1000, maxPushBytes: 1 << 20, poke: false, retry: { baseMs: 10, maxMs: 10 }, fetch, headers: () => ({}) },
    },
    store,
    spaces: { defaultSpace: 'default', holds: (space) => open.has(space), openIds: () => initial, lost: vi.fn() },
    flusher,
    emit: (event) => events.push({ ...event, at: 0 } as KalphiteEvent),
  };
  const { replica, entities } = await LocalReplica.open(context, 'client-1');
  return { replica, entities, store, flusher, events, pushes, context };
}

describe('the local replica', () => {
  it('a batch it writes schedules its own push to its space, with the mutation ids the local db gave', async () => {
    const { replica, pushes } = await setup();
    replica.start();
    expect(await replica.writeBatch([op('a', 'one'), op('b', 'two')])).toEqual([1, 2]);
    await vi.waitFor(() => expect(pushes[0]?.body.mutations.map((m) => [m.clientID, m.id])).toEqual([['client-1', 1], ['client-1', 2]]));
    expect(pushes[0]).toMatchObject({ space: 'default', body: { clientGroupID: replica.profileId } });
    expect(replica.outbox).toEqual({ length: 2 });
    await replica.close(async () => {});
  });

  it("another tab's batch sent again after a leader change is written once", async () => {
    const { replica } = await setup();
    expect(await replica.persist([op('x', 'from b')], { clientId: 'tab-b', batch: 1 })).toEqual([1]);
    expect(await replica.persist([op('x', 'from b')], { clientId: 'tab-b', batch: 1 })).toBeNull();
    // The flusher's port has no null: a batch written before gives no ids.
    expect(await replica.writeBatch([])).toEqual([]);
    expect((await replica.changeLog(10)).map((c) => [c.clientId, c.mutationId])).toEqual([['tab-b', 1]]);
    await replica.close(async () => {});
  });

  it('opens with the local copies of its initial spaces; an id held in two is kept from the first and reported', async () => {
    const pglite = await freshPGlite();
    const first = await setup({ pglite });
    await first.replica.writeBatch([op('a', 'default'), op('r', 'review', 'review:1'), op('s', 'elsewhere', 'review:2')]);
    await first.replica.persist([op('a', 'same id in review', 'review:1')], { clientId: 'tab-b', batch: 1 });
    await first.replica.close(async () => {});
    const { replica, entities, events } = await setup({ pglite, initial: ['default', 'review:1'] });
    expect(entities.sort((x, y) => x.id.localeCompare(y.id))).toEqual([note('a', 'default'), note('r', 'review', 'review:1')]);
    expect(events.filter((e) => e.type === 'space:held-aside')).toMatchObject([{ space: 'review:1', id: 'a', heldIn: 'default' }]);
    expect(events.find((e) => e.type === 'db:opened')).toMatchObject({ entityCount: 2, profileId: replica.profileId, clientId: 'client-1' });
    expect(await replica.loadSpace('review:2')).toEqual([note('s', 'elsewhere', 'review:2')]);
    await replica.close(async () => {});
  });

  it('knows each space: its client group, cookie, writability and unacknowledged writes', async () => {
    const { replica } = await setup();
    await replica.writeBatch([op('a', 'one'), op('r', 'two', 'review:1'), op('s', 'three', 'review:1')]);
    const known = replica.knownSpaces();
    expect(known.find((s) => s.space === 'default')).toEqual({ space: 'default', clientGroupId: replica.profileId, cookie: null, writable: null, unacknowledged: 1, lastRefusal: null, tabs: 1 });
    expect(known.find((s) => s.space === 'review:1')).toMatchObject({ unacknowledged: 2, writable: null, tabs: 0 });
    expect(known.find((s) => s.space === 'review:1')?.clientGroupId).not.toBe(replica.profileId);
    expect(replica.writable('review:1')).toBeNull();
    expect(replica.writable('never-seen')).toBeNull();
    await replica.close(async () => {});
  });

  it('closing a space with forget deletes its local copy and keeps its writes to push; without forget the copy stays', async () => {
    const { replica } = await setup({ initial: ['default', 'review:1', 'review:2'] });
    await replica.writeBatch([op('r', 'mine', 'review:1'), op('s', 'mine', 'review:2')]);
    await replica.closeSpace('review:1', true);
    await replica.closeSpace('review:2', false);
    expect(await replica.loadSpace('review:1')).toEqual([]);
    expect(await replica.loadSpace('review:2')).toEqual([note('s', 'mine', 'review:2')]);
    expect(replica.outbox).toEqual({ length: 2 });
    await replica.close(async () => {});
  });

  it('reset drops memory, pending flushes, the outbox and every space, and starts as a new client of a new profile', async () => {
    const { replica, store, flusher, events } = await setup();
    await replica.writeBatch([op('a', 'one'), op('r', 'two', 'review:1')]);
    store.load([note('a', 'one')]);
    const profile = replica.profileId;
    await replica.reset();
    expect(store.entities.size).toBe(0);
    expect(flusher.discard).toHaveBeenCalledOnce();
    expect(replica.outbox).toEqual({ length: 0 });
    expect(replica.clientId).not.toBe('client-1');
    expect(replica.profileId).not.toBe(profile);
    expect(replica.knownSpaces()).toEqual([]);
    expect(events.find((e) => e.type === 'db:reset')).toMatchObject({ clientId: replica.clientId, profileId: replica.profileId, droppedEntities: 1, droppedChanges: 2 });
    // Mutation ids start again at 1 for the new client.
    expect(await replica.writeBatch([op('b', 'after')])).toEqual([1]);
    await replica.close(async () => {});
  });

  it('closes after the last flush, and closes even when that flush fails', async () => {
    const { replica } = await setup();
    const order: string[] = [];
    await replica.close(async () => {
      order.push('flush');
      await replica.writeBatch([op('late', 'written before the db closes')]);
      order.push('written');
    });
    expect(order).toEqual(['flush', 'written']);
    const second = await setup({ ownDatabase: true });
    await expect(second.replica.close(async () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    await expect(second.replica.writeBatch([op('after', 'closed')])).rejects.toBeDefined();
  });
});
