import { describe, expect, it, vi } from 'vitest';
import { freshPGlite } from '../test-support/pglite.js';
import { defaultEnvironment } from './environment.js';
import type { KalphiteEvent } from './events.js';
import { LocalReplica, type ReplicaContext } from './replica.js';
import { MemoryStore } from './store/store.js';

const note = (id: string, text: string) => ({ id, type: 'note', data: { text }, space: 'default' });
const op = (id: string, text: string) => ({ id, type: 'note', entity: note(id, text), before: null });

/** A local replica alone: its PGlite, memory, a flusher stand-in and a fetch that records pushes. */
async function setup({ ownDatabase = false } = {}) {
  const events: KalphiteEvent[] = [];
  const pushes: { mutations: { clientID: string; id: number }[] }[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input).endsWith('/push')) pushes.push(JSON.parse(String(init?.body)) as (typeof pushes)[number]);
    // Every pull answers "nothing new": the replica is tested without a server.
    return Response.json(String(input).endsWith('/push') ? {} : { cookie: 1, lastMutationIDChanges: {}, patch: [] });
  }) as unknown as typeof globalThis.fetch;
  const store = new MemoryStore();
  const flusher = { isPending: () => false, settled: async () => {}, discard: vi.fn(), snapshot: () => ({ pending: [], dueAt: null, inFlight: null, failures: 0 }) };
  const context: ReplicaContext = {
    settings: {
      dataDir: 'memory://',
      // Its own database (closed with it), or a clone of the test template (the test closes it).
      pglite: ownDatabase ? undefined : await freshPGlite(),
      env: defaultEnvironment(),
      sync: { url: 'http://sync.test', pushDelayMs: 0, pullIntervalMs: 60_000, pullPageSize: 100, pushBatchSize: 500, acknowledgedRowsKept: 1000, maxPushBytes: 1 << 20, poke: false, retry: { baseMs: 10, maxMs: 10 }, fetch, headers: () => ({}) },
    },
    store,
    flusher,
    emit: (event) => events.push({ ...event, at: 0 } as KalphiteEvent),
  };
  const { replica, entities } = await LocalReplica.open(context, 'client-1');
  return { replica, entities, store, flusher, events, pushes };
}

describe('the local replica', () => {
  it('a batch it writes schedules its own push, with the mutation ids the local db gave', async () => {
    const { replica, pushes } = await setup();
    replica.start();
    expect(await replica.writeBatch([op('a', 'one'), op('b', 'two')])).toBe(2);
    await vi.waitFor(() => expect(pushes[0]?.mutations.map((m) => [m.clientID, m.id])).toEqual([['client-1', 1], ['client-1', 2]]));
    expect(replica.outbox).toEqual({ length: 2, lastMutationId: 2 });
    await replica.close(async () => {});
  });

  it("another tab's batch sent again after a leader change is written once", async () => {
    const { replica } = await setup();
    expect(await replica.persist([op('x', 'from b')], { clientId: 'tab-b', batch: 1 })).toBe(1);
    expect(await replica.persist([op('x', 'from b')], { clientId: 'tab-b', batch: 1 })).toBeNull();
    expect((await replica.changeLog(10)).map((c) => [c.clientId, c.mutationId])).toEqual([['tab-b', 1]]);
    await replica.close(async () => {});
  });

  it('reset drops memory, pending flushes and the outbox, and starts as a new client of a new group', async () => {
    const { replica, store, flusher, events } = await setup();
    await replica.writeBatch([op('a', 'one')]);
    store.load([note('a', 'one')]);
    const group = replica.clientGroupId;
    await replica.reset();
    expect(store.entities.size).toBe(0);
    expect(flusher.discard).toHaveBeenCalledOnce();
    expect(replica.outbox).toEqual({ length: 0, lastMutationId: 0 });
    expect(replica.clientId).not.toBe('client-1');
    expect(replica.clientGroupId).not.toBe(group);
    expect(events.find((e) => e.type === 'db:reset')).toMatchObject({ clientId: replica.clientId, droppedEntities: 1, droppedChanges: 1 });
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
