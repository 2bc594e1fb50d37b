import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  read(dataDir: string, n: number): Promise<{ size: number; same: number }>;
}

/** A fresh page of `context` (a reload: IndexedDB stays) calling one function of page.ts. */
async function inPage<K extends keyof LocalDbWorkerPage>(page: Page, method: K, ...args: Parameters<LocalDbWorkerPage[K]>): Promise<Awaited<ReturnType<LocalDbWorkerPage[K]>>> {
  await page.goto(vite.resolvedUrls!.local[0]!);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 90_000 });
  const call = ({ method, args }: { method: string; args: unknown[] }) =>
    (globalThis as unknown as { localDbWorker: Record<string, (...values: unknown[]) => unknown> }).localDbWorker[method]!(...args);
  return (await page.evaluate(call, { method, args })) as Awaited<ReturnType<LocalDbWorkerPage[K]>>;
}

describe('the local db in a dedicated worker (Chromium, idb://)', () => {
  it('writes and flushes through the worker; a reload reads it back; a worker that fails to start falls back to the main thread', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(worker.url()));

    expect(await inPage(page, 'write', 'idb://worker-e2e', 1000, 'working')).toEqual(['db:opened']);
    expect(workers.some((url) => url.includes('local-db.worker'))).toBe(true);
    expect(await inPage(page, 'read', 'idb://worker-e2e', 1000)).toEqual({ size: 1000, same: 1000 });

    // The fallback writes the same IndexedDB database: the worker reads it back after a reload.
    expect(await inPage(page, 'write', 'idb://fallback-e2e', 100, 'broken')).toEqual(['db:worker-failed', 'db:opened']);
    expect(await inPage(page, 'read', 'idb://fallback-e2e', 100)).toEqual({ size: 100, same: 100 });
    await context.close();
  });
});
