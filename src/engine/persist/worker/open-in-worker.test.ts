import { describe, expect, it } from 'vitest';
import type { KalphiteEvent } from '../../events.js';
import { openDatabase } from './open-database.js';
import { isDirectQuery, type DirectQuery } from './messages.js';
import { openInWorker } from './open-in-worker.js';
import { LocalDbWorkerClient, type LockRequester } from './worker-client.js';

/** A worker that never runs PGlite: the test says what it does after it starts. */
class FakeWorker extends EventTarget {
  terminated = false;
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  /** A message from the worker's script. */
  says(data: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
}

function started() {
  const worker = new FakeWorker();
  const events: Omit<KalphiteEvent, 'at'>[] = [];
  const opening = openInWorker('idb://app', () => worker as unknown as Worker, (event) => events.push(event));
  return { worker, events, opening };
}

describe('openInWorker', () => {
  it('rejects when the worker cannot be started (a content security policy, no module workers)', async () => {
    const start = () => {
      throw new Error('Refused to create a worker');
    };
    await expect(openInWorker('idb://app', start, () => {})).rejects.toThrow('Refused to create a worker');
  });

  it("rejects and stops the worker when its script does not load", async () => {
    const { worker, opening } = started();
    worker.dispatchEvent(new Event('error'));
    await expect(opening).rejects.toThrow('The worker script did not load');
    expect(worker.terminated).toBe(true);
  });

  it('passes on what the worker emits, and rejects and stops it when the database does not open there', async () => {
    const { worker, events, opening } = started();
    worker.says({ type: 'here' });
    worker.says({ type: 'kalphite:event', event: { type: 'db:prebuilt-skipped', reason: 'offline' } });
    worker.says({ type: 'kalphite:open-failed', message: 'QuotaExceededError' });
    await expect(opening).rejects.toThrow('QuotaExceededError');
    expect(events).toEqual([{ type: 'db:prebuilt-skipped', reason: 'offline' }]);
    expect(worker.terminated).toBe(true);
  });
});

/** Web Locks where the test grants a lock: as the browser does once the worker holding it is gone. */
class FakeLocks implements LockRequester {
  readonly requests = new Map<string, () => void>();
  request(name: string, callback: () => void): Promise<unknown> {
    this.requests.set(name, callback);
    return Promise.resolve();
  }
  release(name: string): void {
    this.requests.get(name)?.();
  }
}

/** An opened worker's client, watched: PGliteWorker's own queries wait for an answer that a fake worker never gives. */
function watched() {
  const worker = new FakeWorker();
  const locks = new FakeLocks();
  const db = new LocalDbWorkerClient(worker as unknown as Worker, 'idb://app', { locks });
  // PGliteWorker's handshake: its first message must be this (the rest needs Web Locks, absent in Node).
  worker.says({ type: 'here' });
  const deaths: string[] = [];
  db.watch((error) => deaths.push(error.message));
  return { worker, locks, db, deaths };
}

const diedWithDbFailed = { name: 'KalphiteError', code: 'db-failed' };

describe('LocalDbWorkerClient watchdog', () => {
  it('rejects every pending query, and every later one, when the worker fails with an error it did not catch', async () => {
    const { worker, db, deaths } = watched();
    const query = db.query('SELECT 1');
    const direct = db.queryDirect('SELECT 2', []);
    const batch = db.query('SELECT $1::text', ['x'.repeat(70_000)]);
    const tx = db.transaction(async () => 1);
    expect(worker.posted.filter(isDirectQuery)).toHaveLength(3);
    worker.dispatchEvent(Object.assign(new Event('error'), { message: 'RuntimeError: unreachable' }));
    for (const pending of [query, direct, batch, tx]) await expect(pending).rejects.toMatchObject(diedWithDbFailed);
    await expect(db.exec('SELECT 3')).rejects.toMatchObject(diedWithDbFailed);
    await expect(db.queryDirect('SELECT 4', [])).rejects.toMatchObject(diedWithDbFailed);
    expect(deaths).toHaveLength(1);
    expect(deaths[0]).toContain('RuntimeError: unreachable');
    expect(worker.terminated).toBe(true);
  });

  it("takes the release of the worker's election lock as its death (the browser ended it)", async () => {
    const { worker, locks, db, deaths } = watched();
    const pending = db.query('SELECT 1');
    expect([...locks.requests.keys()]).toEqual(['pglite-election-lock:kalphite-local-db:idb://app']);
    locks.release('pglite-election-lock:kalphite-local-db:idb://app');
    await expect(pending).rejects.toMatchObject(diedWithDbFailed);
    worker.dispatchEvent(new Event('error'));
    expect(deaths).toHaveLength(1);
  });

  it('still answers a direct query before any death, and a close is no death', async () => {
    const { worker, locks, db, deaths } = watched();
    const answered = db.queryDirect<{ one: number }>('SELECT 1 AS one', []);
    worker.says({ type: 'kalphite:rows', id: (worker.posted.find(isDirectQuery) as DirectQuery).id, rows: [{ one: 1 }], affectedRows: 0 });
    expect((await answered).rows).toEqual([{ one: 1 }]);
    const closing = db.close();
    // The worker is asked to close PGlite first, and ended once it answers.
    const close = worker.posted.find((message) => (message as { type?: unknown }).type === 'kalphite:close') as { id: number } | undefined;
    expect(close).toBeDefined();
    expect(worker.terminated).toBe(false);
    worker.says({ type: 'kalphite:done', id: close!.id, results: [] });
    await closing;
    expect(worker.terminated).toBe(true);
    locks.release('pglite-election-lock:kalphite-local-db:idb://app');
    expect(deaths).toEqual([]);
  });
});

describe('openDatabase', () => {
  it('keeps a memory:// database on this thread: no worker is started', async () => {
    let starts = 0;
    const db = await openDatabase('memory://', {
      emit: () => {},
      startWorker: () => {
        starts++;
        return new FakeWorker() as unknown as Worker;
      },
    });
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(starts).toBe(0);
    await db.close();
  });
});
