import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KalphiteEvent } from '../src/engine/index.js';
import { servePageInChromium, type ServedPage } from './page-in-chromium.js';

/** What e2e/local-db-worker/page.ts puts on the page. */
interface LocalDbWorkerPage {
  write(dataDir: string, n: number, worker: 'working' | 'broken'): Promise<string[]>;
  read(dataDir: string, n: number): Promise<{ size: number; same: number; events: KalphiteEvent[] }>;
  storage(name: string): Promise<{ indexedDb: boolean; opfs: boolean; shutDown: boolean }>;
}

let served: ServedPage<LocalDbWorkerPage>;

beforeAll(async () => {
  served = await servePageInChromium<LocalDbWorkerPage>(resolve(import.meta.dirname, 'local-db-worker'), 'localDbWorker');
}, 120_000);

afterAll(async () => {
  await served?.close();
});

const storageOpened = (events: readonly KalphiteEvent[]) => events.flatMap((event) => (event.type === 'db:storage' ? [event.storage] : []));

describe('the local db in a dedicated worker (Chromium)', () => {
  it('keeps a new idb:// database on OPFS, which a reload reads back; a worker that fails to start falls back to the main thread', async () => {
    const context = await served.browser.newContext();
    const page = await context.newPage();
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));

    expect(await served.call(page, 'write', 'idb://worker-e2e', 1000, 'working')).toEqual(['db:storage', 'db:opened']);
    expect(workers.some((url) => url.includes('local-db.worker'))).toBe(true);
    // Closing the engine shut PostgreSQL down in the worker before ending it: the next open replays no WAL.
    expect(await served.call(page, 'storage', 'worker-e2e')).toEqual({ indexedDb: false, opfs: true, shutDown: true });
    const reread = await served.call(page, 'read', 'idb://worker-e2e', 1000);
    expect(reread).toMatchObject({ size: 1000, same: 1000 });
    expect(storageOpened(reread.events)).toEqual(['opfs']);

    // The main thread has no OPFS sync access handles: it writes IndexedDB, and the worker moves that to OPFS after a reload.
    expect(await served.call(page, 'write', 'idb://fallback-e2e', 100, 'broken')).toEqual(['db:worker-failed', 'db:storage', 'db:opened']);
    expect(await served.call(page, 'storage', 'fallback-e2e')).toEqual({ indexedDb: true, opfs: false, shutDown: false });
    expect(await served.call(page, 'read', 'idb://fallback-e2e', 100)).toMatchObject({ size: 100, same: 100 });
    await context.close();
  });

  it('moves an IndexedDB database to OPFS once: every entity is there, and the IndexedDB copy is gone', async () => {
    const context = await served.browser.newContext();
    const page = await context.newPage();
    expect(await served.call(page, 'write', 'idb-only://migrate-e2e', 2000, 'working')).toEqual(['db:storage', 'db:opened']);
    expect(await served.call(page, 'storage', 'migrate-e2e')).toEqual({ indexedDb: true, opfs: false, shutDown: false });

    const migrated = await served.call(page, 'read', 'idb://migrate-e2e', 2000);
    expect(migrated).toMatchObject({ size: 2000, same: 2000 });
    const migration = migrated.events.find((event) => event.type === 'db:storage-migrated');
    expect(migration).toMatchObject({ dataDir: 'idb://migrate-e2e', from: 'indexeddb', to: 'opfs', indexedDbKept: null });
    // Every row of every table was counted in both copies: the entities are among them.
    expect(migration?.type === 'db:storage-migrated' && migration.rows).toBeGreaterThanOrEqual(2000);
    expect(storageOpened(migrated.events)).toEqual(['opfs']);
    expect(await served.call(page, 'storage', 'migrate-e2e')).toEqual({ indexedDb: false, opfs: true, shutDown: true });

    const again = await served.call(page, 'read', 'idb://migrate-e2e', 2000);
    expect(again).toMatchObject({ size: 2000, same: 2000 });
    expect(again.events.some((event) => event.type === 'db:storage-migrated')).toBe(false);
    await context.close();
  });

  it('keeps an idb-only:// database in IndexedDB, and opens opfs:// on OPFS', async () => {
    const context = await served.browser.newContext();
    const page = await context.newPage();
    expect(await served.call(page, 'write', 'idb-only://opt-out-e2e', 100, 'working')).toEqual(['db:storage', 'db:opened']);
    const optedOut = await served.call(page, 'read', 'idb-only://opt-out-e2e', 100);
    expect(optedOut).toMatchObject({ size: 100, same: 100 });
    expect(storageOpened(optedOut.events)).toEqual(['indexeddb']);
    expect(await served.call(page, 'storage', 'opt-out-e2e')).toEqual({ indexedDb: true, opfs: false, shutDown: false });

    expect(await served.call(page, 'write', 'opfs://explicit-e2e', 100, 'working')).toEqual(['db:storage', 'db:opened']);
    const explicit = await served.call(page, 'read', 'opfs://explicit-e2e', 100);
    expect(explicit).toMatchObject({ size: 100, same: 100 });
    expect(storageOpened(explicit.events)).toEqual(['opfs']);
    expect(await served.call(page, 'storage', 'explicit-e2e')).toEqual({ indexedDb: false, opfs: true, shutDown: true });
    await context.close();
  });
});
