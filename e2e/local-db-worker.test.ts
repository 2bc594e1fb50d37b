import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KalphiteEvent } from '../src/engine/index.js';
import { launchChromium } from './browser.js';

let vite: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  vite = await createServer({
    configFile: false,
    root: resolve(import.meta.dirname, 'local-db-worker'),
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1', hmr: false, watch: null },
    optimizeDeps: { exclude: ['@electric-sql/pglite', '@electric-sql/pglite/worker'] },
  });
  await vite.listen();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await vite?.close();
});

interface LocalDbWorkerPage {
  write(dataDir: string, n: number, worker: 'working' | 'broken'): Promise<string[]>;
  read(dataDir: string, n: number): Promise<{ size: number; same: number; events: KalphiteEvent[] }>;
  storage(name: string): Promise<{ indexedDb: boolean; opfs: boolean }>;
}

/** A fresh page of `context` (a reload: IndexedDB and OPFS stay) calling one function of page.ts. */
async function inPage<K extends keyof LocalDbWorkerPage>(page: Page, method: K, ...args: Parameters<LocalDbWorkerPage[K]>): Promise<Awaited<ReturnType<LocalDbWorkerPage[K]>>> {
  await page.goto(vite.resolvedUrls!.local[0]!);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 90_000 });
  const call = ({ method, args }: { method: string; args: unknown[] }) =>
    (globalThis as unknown as { localDbWorker: Record<string, (...values: unknown[]) => unknown> }).localDbWorker[method]!(...args);
  return (await page.evaluate(call, { method, args })) as Awaited<ReturnType<LocalDbWorkerPage[K]>>;
}

const storageOpened = (events: readonly KalphiteEvent[]) => events.flatMap((event) => (event.type === 'db:storage' ? [event.storage] : []));

describe('the local db in a dedicated worker (Chromium)', () => {
  it('keeps a new idb:// database on OPFS, which a reload reads back; a worker that fails to start falls back to the main thread', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));

    expect(await inPage(page, 'write', 'idb://worker-e2e', 1000, 'working')).toEqual(['db:storage', 'db:opened']);
    expect(workers.some((url) => url.includes('local-db.worker'))).toBe(true);
    expect(await inPage(page, 'storage', 'worker-e2e')).toEqual({ indexedDb: false, opfs: true });
    const reread = await inPage(page, 'read', 'idb://worker-e2e', 1000);
    expect(reread).toMatchObject({ size: 1000, same: 1000 });
    expect(storageOpened(reread.events)).toEqual(['opfs']);

    // The main thread has no OPFS sync access handles: it writes IndexedDB, and the worker moves that to OPFS after a reload.
    expect(await inPage(page, 'write', 'idb://fallback-e2e', 100, 'broken')).toEqual(['db:worker-failed', 'db:storage', 'db:opened']);
    expect(await inPage(page, 'storage', 'fallback-e2e')).toEqual({ indexedDb: true, opfs: false });
    expect(await inPage(page, 'read', 'idb://fallback-e2e', 100)).toMatchObject({ size: 100, same: 100 });
    await context.close();
  });

  it('moves an IndexedDB database to OPFS once: every entity is there, and the IndexedDB copy is gone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect(await inPage(page, 'write', 'idb-only://migrate-e2e', 2000, 'working')).toEqual(['db:storage', 'db:opened']);
    expect(await inPage(page, 'storage', 'migrate-e2e')).toEqual({ indexedDb: true, opfs: false });

    const migrated = await inPage(page, 'read', 'idb://migrate-e2e', 2000);
    expect(migrated).toMatchObject({ size: 2000, same: 2000 });
    const migration = migrated.events.find((event) => event.type === 'db:storage-migrated');
    expect(migration).toMatchObject({ dataDir: 'idb://migrate-e2e', from: 'indexeddb', to: 'opfs', indexedDbKept: null });
    // Every row of every table was counted in both copies: the entities are among them.
    expect(migration?.type === 'db:storage-migrated' && migration.rows).toBeGreaterThanOrEqual(2000);
    expect(storageOpened(migrated.events)).toEqual(['opfs']);
    expect(await inPage(page, 'storage', 'migrate-e2e')).toEqual({ indexedDb: false, opfs: true });

    const again = await inPage(page, 'read', 'idb://migrate-e2e', 2000);
    expect(again).toMatchObject({ size: 2000, same: 2000 });
    expect(again.events.some((event) => event.type === 'db:storage-migrated')).toBe(false);
    await context.close();
  });

  it('keeps an idb-only:// database in IndexedDB, and opens opfs:// on OPFS', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect(await inPage(page, 'write', 'idb-only://opt-out-e2e', 100, 'working')).toEqual(['db:storage', 'db:opened']);
    const optedOut = await inPage(page, 'read', 'idb-only://opt-out-e2e', 100);
    expect(optedOut).toMatchObject({ size: 100, same: 100 });
    expect(storageOpened(optedOut.events)).toEqual(['indexeddb']);
    expect(await inPage(page, 'storage', 'opt-out-e2e')).toEqual({ indexedDb: true, opfs: false });

    expect(await inPage(page, 'write', 'opfs://explicit-e2e', 100, 'working')).toEqual(['db:storage', 'db:opened']);
    const explicit = await inPage(page, 'read', 'opfs://explicit-e2e', 100);
    expect(explicit).toMatchObject({ size: 100, same: 100 });
    expect(storageOpened(explicit.events)).toEqual(['opfs']);
    expect(await inPage(page, 'storage', 'explicit-e2e')).toEqual({ indexedDb: false, opfs: true });
    await context.close();
  });
});
