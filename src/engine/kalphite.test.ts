import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Entity } from './store/entity.js';
import type { KalphiteEvent } from './events.js';
import { createKalphite, type Kalphite, type KalphiteOptions } from './kalphite.js';
import { freshPGlite } from '../test-support/pglite.js';

const comment = (id: string, message: string): Entity => ({ id, type: 'comment', data: { message, lineNumber: 1 }, updatedAt: 1, space: 'default' });

const engines: Kalphite[] = [];
const dirs: string[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(engines.splice(0).map((k) => k.close().catch(() => {})));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function engine(options: KalphiteOptions = {}): Promise<Kalphite> {
  const kalphite = await createKalphite({ pglite: options.dataDir ? undefined : await freshPGlite(), ...options });
  engines.push(kalphite);
  return kalphite;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kalphite-engine-'));
  dirs.push(dir);
  return dir;
}

describe('createKalphite', () => {
  it('resolves once loaded, with synchronous reads from the start', async () => {
    const dataDir = tempDir();
    const first = await createKalphite({ dataDir });
    first.store.entities.set('c1', comment('c1', 'hello'));
    await first.close();
    const second = await engine({ dataDir });
    expect(second.store.getById('c1')).toEqual(comment('c1', 'hello'));
    expect(second.store.getByType('comment')).toHaveLength(1);
    expect(second.events.map((e) => e.type)).toContain('db:opened');
  });

  it('refuses bad options with a typed error', async () => {
    await expect(createKalphite({ flushDelayMs: -1 })).rejects.toMatchObject({ code: 'invalid-options' });
    await expect(createKalphite({ flushMaxWaitMs: Number.NaN })).rejects.toMatchObject({ code: 'invalid-options' });
  });
});

describe('restart (seed: loadFromPGlite never removed, deletes came back)', () => {
  it('a restart with the same dataDir restores exactly the entities written, deletes included', async () => {
    const dataDir = tempDir();
    const first = await createKalphite({ dataDir });
    const { entities } = first.store;
    first.store.batch(() => {
      for (let i = 0; i < 50; i++) entities.set(`c${i}`, comment(`c${i}`, `m${i}`));
    });
    await first.flush();
    entities.delete('c3');
    entities.set('c4', comment('c4', 'edited'));
    entities.set('new', { id: 'new', type: 'review', data: { status: 'pending' } });
    entities.delete('new');
    entities.set('late', { id: 'late', type: 'review', data: { status: 'approved' } });
    const expected = new Map(first.store.entities);
    await first.close();

    const second = await engine({ dataDir });
    expect(new Map(second.store.entities)).toEqual(expected);
    expect(second.store.getById('c3')).toBeNull();
    expect(second.store.getById('new')).toBeNull();
    expect(second.inspect().outbox.length).toBe(50 + 3);
  });
});

describe('flushing through PGlite', () => {
  it('debounces, persists and reports every step as events', async () => {
    const kalphite = await engine();
    const events: KalphiteEvent[] = [];
    kalphite.subscribe((event) => events.push(event));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    kalphite.store.entities.set('c1', comment('c1', 'one'));
    await vi.advanceTimersByTimeAsync(0);
    const inspection = kalphite.inspect();
    expect(inspection.flush.pending).toEqual([{ id: 'c1', op: 'upsert' }]);
    expect(inspection.flush.dueAt).toBe(Date.now() + 100);
    expect(inspection.countsByType).toEqual({ comment: 1 });
    await vi.advanceTimersByTimeAsync(100);
    await vi.waitFor(() => expect(kalphite.inspect().outbox.length).toBe(1));
    expect(events.map((e) => e.type)).toEqual(['store:changed', 'flush:scheduled', 'flush:started', 'flush:committed']);
    expect(kalphite.inspect()).toMatchObject({ flush: { pending: [], inFlight: null, failures: 0 }, outbox: { length: 1 }, lastError: null });
  });

  it('writes every 50 ms for 2 s reach PGlite within the max wait', async () => {
    const kalphite = await engine();
    const committedAt: number[] = [];
    kalphite.subscribe((event) => {
      if (event.type === 'flush:committed') committedAt.push(event.at);
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const start = Date.now();
    for (let i = 0; i < 40; i++) {
      kalphite.store.entities.set(`c${i}`, comment(`c${i}`, 'tick'));
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(committedAt.length).toBeGreaterThanOrEqual(1);
    expect(committedAt[0]! - start).toBeLessThanOrEqual(1000 + 50);
  });

  it('a failed flush followed by a newer write persists the newer value', async () => {
    const pglite = await freshPGlite();
    const kalphite = await engine({ pglite, flushRetry: { baseMs: 10, maxMs: 10 } });
    const query = pglite.query.bind(pglite);
    let fail = 1;
    pglite.query = ((...args: Parameters<typeof query>) => {
      if (fail > 0 && args[0].includes('INSERT INTO client_changes')) {
        fail--;
        return Promise.reject(new Error('simulated I/O error'));
      }
      return query(...args);
    }) as typeof pglite.query;

    kalphite.store.entities.set('c1', comment('c1', 'old'));
    await expect(kalphite.flush()).rejects.toMatchObject({ code: 'db-failed' });
    expect(kalphite.inspect().lastError).toMatchObject({ code: 'db-failed', message: 'simulated I/O error' });
    kalphite.store.entities.set('c1', comment('c1', 'new'));
    await kalphite.flush();
    const rows = await query<{ value: Entity }>(`SELECT value FROM entities WHERE id = 'c1'`);
    expect(rows.rows[0]?.value).toEqual(comment('c1', 'new'));
    const log = await query<{ data: Entity }>(`SELECT data FROM client_changes ORDER BY id`);
    expect(log.rows.map((r) => (r.data.data as { message: string }).message)).toEqual(['new']);
  });

  it('flush() persists everything written so far, including this tick', async () => {
    const pglite = await freshPGlite();
    const kalphite = await engine({ pglite, flushDelayMs: 60_000, flushMaxWaitMs: 60_000 });
    kalphite.store.entities.set('c1', comment('c1', 'now'));
    await kalphite.flush();
    const rows = await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM entities');
    expect(rows.rows[0]?.n).toBe(1);
  });

  it('flushes at once when the page is hidden', async () => {
    let hide: () => void = () => {};
    const kalphite = await engine({ flushDelayMs: 60_000, flushMaxWaitMs: 60_000, environment: { onPageHide: (cb) => ((hide = cb), () => {}) } });
    const committed = new Promise<void>((resolve) => kalphite.subscribe((e) => e.type === 'flush:committed' && resolve()));
    kalphite.store.entities.set('c1', comment('c1', 'closing tab'));
    hide();
    await committed;
    expect(kalphite.inspect().outbox.length).toBe(1);
  });
});

describe('close', () => {
  it('flushes, releases the db and refuses later writes', async () => {
    const dataDir = tempDir();
    const pageHide = vi.fn();
    const kalphite = await createKalphite({ dataDir, flushDelayMs: 60_000, environment: { onPageHide: () => pageHide } });
    kalphite.store.entities.set('c1', comment('c1', 'last words'));
    await kalphite.close();
    await kalphite.close();
    expect(kalphite.closed).toBe(true);
    expect(pageHide).toHaveBeenCalledOnce();
    expect(() => kalphite.store.entities.set('c2', comment('c2', 'too late'))).toThrow(expect.objectContaining({ code: 'closed' }));
    const reopened = await engine({ dataDir });
    expect(reopened.store.getById('c1')).toEqual(comment('c1', 'last words'));
  });
});

describe('change log', () => {
  it('shows each flushed change with the value it replaced, coalesced writes as one change', async () => {
    const k = await engine();
    k.store.entities.set('c1', comment('c1', 'first'));
    await k.flush();
    k.store.entities.set('c1', comment('c1', 'second'));
    k.store.entities.set('c1', comment('c1', 'third'));
    await k.flush();
    k.store.entities.delete('c1');
    k.store.entities.set('tmp', comment('tmp', 'created then deleted'));
    k.store.entities.delete('tmp');
    await k.flush();
    const log = await k.changeLog();
    expect(log.map((e) => [e.mutationId, e.op, e.before?.data ?? null, e.entity?.data ?? null])).toEqual([
      [3, 'delete', { message: 'third', lineNumber: 1 }, null],
      [2, 'patch', { message: 'first', lineNumber: 1 }, { message: 'third', lineNumber: 1 }],
      [1, 'upsert', null, { message: 'first', lineNumber: 1 }],
    ]);
    expect(await k.changeLog({ limit: 1 })).toHaveLength(1);
  });

  it('reset without sync empties memory and the local db', async () => {
    const k = await engine();
    k.store.entities.set('c1', comment('c1', 'x'));
    await k.flush();
    k.store.entities.set('c2', comment('c2', 'y'));
    await k.reset();
    expect(k.store.entities.size).toBe(0);
    await k.flush();
    expect(await k.changeLog()).toEqual([]);
    k.store.entities.set('c3', comment('c3', 'z'));
    await k.flush();
    expect((await k.changeLog()).map((e) => e.mutationId)).toEqual([1]);
  });
});
