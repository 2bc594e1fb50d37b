import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Entity } from '../store/entity.js';
import { defaultEnvironment } from '../environment.js';
import type { KalphiteEvent } from '../events.js';
import { Flusher } from './flusher.js';
import { opSpace, type FlushOp } from './local-db.js';
import { MemoryStore } from '../store/store.js';

/** As memory holds it: the store fills the default space. */
const note = (id: string, text: string, space = 'default'): Entity => ({ id, type: 'note', data: { text }, space });

/** A local db stand-in that records batches and can be told to fail or to hold a batch open. */
class RecordingDb {
  batches: FlushOp[][] = [];
  disk = new Map<string, Entity>();
  failNext = 0;
  concurrent = 0;
  maxConcurrent = 0;
  hold: Promise<void> | null = null;
  /** The last mutation id given out in each space (ids are per space, as in the local db). */
  lastMutationIds = new Map<string, number>();
  landedAt = new Map<string, number>();

  async writeBatch(ops: readonly FlushOp[]): Promise<number[]> {
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.hold) await this.hold;
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error('disk on fire');
      }
      this.batches.push([...ops]);
      for (const op of ops) {
        this.landedAt.set(op.id, Date.now());
        if (op.entity) this.disk.set(op.id, op.entity);
        else this.disk.delete(op.id);
      }
      return ops.map((op) => {
        const id = (this.lastMutationIds.get(opSpace(op)) ?? 0) + 1;
        this.lastMutationIds.set(opSpace(op), id);
        return id;
      });
    } finally {
      this.concurrent--;
    }
  }
}

function setup(options: { delayMs?: number; maxWaitMs?: number; random?: () => number } = {}) {
  const store = new MemoryStore();
  const db = new RecordingDb();
  const events: KalphiteEvent[] = [];
  const env = { ...defaultEnvironment(), random: options.random ?? (() => 0.5) };
  const flusher = new Flusher({
    read: (id) => store.entities.get(id),
    sink: db,
    env,
    emit: (event) => events.push({ ...event, at: env.now() } as KalphiteEvent),
    delayMs: options.delayMs ?? 100,
    maxWaitMs: options.maxWaitMs ?? 1000,
    retry: { baseMs: 100, maxMs: 1000 },
  });
  store.onLocalCommit((changed) => flusher.enqueue(changed));
  return { store, db, flusher, events };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('debounce and max wait', () => {
  it('flushes 100 ms after the last write', async () => {
    const { store, db } = setup();
    store.entities.set('a', note('a', 'x'));
    await vi.advanceTimersByTimeAsync(99);
    expect(db.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(db.batches).toHaveLength(1);
  });

  it('writes every 50 ms for 2 s reach the db within the max wait (seed: the debounce reset forever)', async () => {
    const { store, db } = setup();
    const writtenAt = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const id = `n${i}`;
      store.entities.set(id, note(id, 'tick'));
      writtenAt.set(id, Date.now());
      await vi.advanceTimersByTimeAsync(50);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(db.batches.length).toBeGreaterThanOrEqual(2);
    expect(db.landedAt.size).toBe(40);
    for (const [id, at] of writtenAt) expect(db.landedAt.get(id)! - at).toBeLessThanOrEqual(1000);
    // The first writes landed while writes were still coming every 50 ms.
    expect(db.landedAt.get('n0')).toBeLessThan(writtenAt.get('n39')!);
  });
});

describe('coalescing', () => {
  it('the last write to an entity wins and is written once', async () => {
    const { store, db } = setup();
    store.entities.set('a', note('a', 'v1'));
    await Promise.resolve();
    store.entities.set('a', note('a', 'v2'));
    await Promise.resolve();
    store.entities.set('a', note('a', 'v3'));
    await vi.advanceTimersByTimeAsync(100);
    expect(db.batches).toEqual([[{ id: 'a', type: 'note', entity: note('a', 'v3'), before: null }]]);
  });

  it('commits that overlap make one batch: each entity once, in first-change order, with its first base', async () => {
    const { store, db, flusher } = setup();
    store.entities.set('b', note('b', 'persisted'));
    store.notifyNow();
    await flusher.flush();
    store.batch(() => {
      store.entities.set('a', note('a', 'v1'));
      store.entities.set('b', note('b', 'v1'));
    });
    expect(flusher.isPending('a')).toBe(true);
    expect(flusher.isPending('c')).toBe(false);
    store.batch(() => {
      store.entities.set('b', note('b', 'v2'));
      store.entities.set('c', note('c', 'v1'));
    });
    store.entities.set('a', note('a', 'v2'));
    store.notifyNow();
    expect(flusher.isPending('c')).toBe(true);
    expect(flusher.snapshot().pending).toEqual([
      { id: 'a', op: 'upsert' },
      { id: 'b', op: 'patch' },
      { id: 'c', op: 'upsert' },
    ]);
    await flusher.flush();
    expect(db.batches[1]).toEqual([
      { id: 'a', type: 'note', entity: note('a', 'v2'), before: null },
      { id: 'b', type: 'note', entity: note('b', 'v2'), before: note('b', 'persisted'), fields: ['text'] },
      { id: 'c', type: 'note', entity: note('c', 'v1'), before: null },
    ]);
    expect(flusher.isPending('a')).toBe(false);
  });

  it('an update names the fields its commits changed, not those a server value changed between them', async () => {
    const { store, db, flusher } = setup();
    const card = (data: Record<string, unknown>, type = 'card'): Entity => ({ id: 'k', type, data: data as Entity['data'], space: 'default' });
    store.entities.set('k', card({ title: 't', status: 'open', body: 'b' }));
    store.notifyNow();
    await flusher.flush();
    store.entities.set('k', card({ title: 'T', status: 'open', body: 'b' }));
    store.notifyNow();
    store.applyExternal([['k', card({ title: 'T', status: 'open', body: 'theirs' })]], 'server');
    store.entities.set('k', card({ title: 'T', status: 'done', body: 'theirs' }));
    store.notifyNow();
    expect(flusher.localWrite('k')).toEqual(new Set(['title', 'status']));
    await flusher.flush();
    expect(db.batches[1]?.[0]?.fields).toEqual(['title', 'status']);

    store.entities.set('k', card({ title: 'T' }, 'task'));
    store.notifyNow();
    expect(flusher.localWrite('k')).toBe('whole');
    await flusher.flush();
    expect(db.batches[2]?.[0]).not.toHaveProperty('fields');
  });

  it('create then delete of a never-persisted entity persists nothing', async () => {
    const { store, db, flusher } = setup();
    store.entities.set('a', note('a', 'v1'));
    await Promise.resolve();
    store.entities.delete('a');
    await vi.advanceTimersByTimeAsync(200);
    await flusher.flush();
    expect(db.batches).toEqual([]);
  });

  it('delete of a persisted entity persists a delete with its type', async () => {
    const { store, db, flusher } = setup();
    store.entities.set('a', note('a', 'v1'));
    store.notifyNow();
    await flusher.flush();
    store.entities.delete('a');
    await vi.advanceTimersByTimeAsync(100);
    // The delete names what it removed: the change log shows it as the "before".
    expect(db.batches[1]).toEqual([{ id: 'a', type: 'note', entity: null, before: note('a', 'v1') }]);
    expect(db.disk.has('a')).toBe(false);
  });
});

describe('one flush at a time', () => {
  it('writes during a flush go to the next one; batches never overlap', async () => {
    const { store, db, flusher } = setup();
    let release!: () => void;
    db.hold = new Promise((resolve) => (release = resolve));
    store.entities.set('a', note('a', 'first'));
    await vi.advanceTimersByTimeAsync(100);
    expect(flusher.snapshot().inFlight?.size).toBe(1);
    store.entities.set('a', note('a', 'second'));
    store.entities.set('b', note('b', 'first'));
    await vi.advanceTimersByTimeAsync(2000);
    expect(db.batches).toHaveLength(0);
    db.hold = null;
    release();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(db.maxConcurrent).toBe(1);
    expect(db.batches.map((b) => b.map((op) => [op.id, (op.entity?.data as { text: string }).text]))).toEqual([
      [['a', 'first']],
      [
        ['a', 'second'],
        ['b', 'first'],
      ],
    ]);
  });
});

describe('failures', () => {
  it('a failed flush followed by a newer write persists the newer value (seed: the old op overwrote it)', async () => {
    const { store, db, events } = setup();
    db.failNext = 1;
    store.entities.set('a', note('a', 'old'));
    await vi.advanceTimersByTimeAsync(100);
    expect(events.some((e) => e.type === 'flush:failed')).toBe(true);
    store.entities.set('a', note('a', 'new'));
    await vi.advanceTimersByTimeAsync(5000);
    expect(db.disk.get('a')).toEqual(note('a', 'new'));
    expect(db.batches.flat().map((op) => (op.entity?.data as { text: string }).text)).toEqual(['new']);
  });

  it('a failed create merged under a newer delete persists nothing', async () => {
    const { store, db, flusher } = setup();
    db.failNext = 1;
    store.entities.set('a', note('a', 'v1'));
    await vi.advanceTimersByTimeAsync(100);
    store.entities.delete('a');
    await vi.advanceTimersByTimeAsync(5000);
    await flusher.flush();
    expect(db.batches).toEqual([]);
  });

  it('retries with exponential backoff, jitter and a cap, then succeeds', async () => {
    let r = 0;
    const randoms = [0, 1, 0.5, 0.5, 0.5, 0.5];
    const { store, db, events } = setup({ random: () => randoms[r++ % randoms.length] ?? 0.5 });
    db.failNext = 6;
    store.entities.set('a', note('a', 'v'));
    await vi.advanceTimersByTimeAsync(100 + 60_000);
    const delays = events.filter((e) => e.type === 'flush:retry').map((e) => (e.type === 'flush:retry' ? e.delayMs : 0));
    // base 100 doubling, capped at 1000; equal jitter keeps each delay in [d/2, d].
    expect(delays).toEqual([50, 200, 300, 600, 750, 750]);
    expect(db.disk.get('a')).toEqual(note('a', 'v'));
    expect(events.filter((e) => e.type === 'flush:committed')).toHaveLength(1);
  });

  it('flush() rejects with a typed error when the batch fails and keeps the operations', async () => {
    const { store, db, flusher } = setup();
    db.failNext = 1;
    store.entities.set('a', note('a', 'v'));
    store.notifyNow();
    await expect(flusher.flush()).rejects.toMatchObject({ code: 'db-failed', message: 'disk on fire' });
    expect(flusher.snapshot().pending).toEqual([{ id: 'a', op: 'upsert' }]);
    await flusher.flush();
    expect(db.disk.get('a')).toEqual(note('a', 'v'));
    expect(flusher.snapshot()).toMatchObject({ pending: [], failures: 0, dueAt: null });
  });
});

describe('snapshot and events', () => {
  it('shows pending operations with their due time, and reports the lifecycle', async () => {
    const { store, flusher, events } = setup();
    const start = Date.now();
    store.entities.set('a', note('a', 'v'));
    await Promise.resolve();
    expect(flusher.snapshot()).toEqual({ pending: [{ id: 'a', op: 'upsert' }], dueAt: start + 100, inFlight: null, failures: 0 });
    await vi.advanceTimersByTimeAsync(100);
    expect(events.map((e) => e.type)).toEqual(['flush:scheduled', 'flush:started', 'flush:committed']);
    expect(events[2]).toMatchObject({ size: 1, ids: ['a'], spaces: ['default'], mutationIds: [1] });
  });

  it('reports each written entity with its space and its mutation id there, in write order', async () => {
    const { store, flusher, events } = setup();
    store.entities.set('gone', note('gone', 'v', 'review:1'));
    store.notifyNow();
    await flusher.flush();
    store.batch(() => {
      store.entities.set('a', note('a', 'v'));
      store.entities.set('r', note('r', 'v', 'review:1'));
      // A delete's space is the value it removes.
      store.entities.delete('gone');
      store.entities.set('b', note('b', 'v'));
    });
    store.notifyNow();
    await flusher.flush();
    const committed = events.filter((e) => e.type === 'flush:committed');
    expect(committed[1]).toMatchObject({ size: 4, ids: ['a', 'r', 'gone', 'b'], spaces: ['default', 'review:1', 'review:1', 'default'], mutationIds: [1, 2, 3, 2] });
  });
});
