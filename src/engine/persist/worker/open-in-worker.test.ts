import { describe, expect, it } from 'vitest';
import type { KalphiteEvent } from '../../events.js';
import { openDatabase } from './open-database.js';
import { openInWorker } from './open-in-worker.js';

/** A worker that never runs PGlite: the test says what it does after it starts. */
class FakeWorker extends EventTarget {
  terminated = false;
  postMessage(): void {}
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
