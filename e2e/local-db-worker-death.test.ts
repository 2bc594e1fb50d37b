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
    root: resolve(import.meta.dirname, 'local-db-worker-death'),
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

interface LocalDbWorkerDeathPage {
  writeThenEnd(dataDir: string, n: number): Promise<{ flushed: string; deaths: number }>;
  reopen(dataDir: string): Promise<number>;
}

/** A fresh page of `context` (a reload: the database stays) calling one function of page.ts. */
async function inPage<K extends keyof LocalDbWorkerDeathPage>(page: Page, method: K, ...args: Parameters<LocalDbWorkerDeathPage[K]>): Promise<Awaited<ReturnType<LocalDbWorkerDeathPage[K]>>> {
  await page.goto(vite.resolvedUrls!.local[0]!);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 90_000 });
  const call = ({ method, args }: { method: string; args: unknown[] }) =>
    (globalThis as unknown as { localDbWorkerDeath: Record<string, (...values: unknown[]) => unknown> }).localDbWorkerDeath[method]!(...args);
  return (await page.evaluate(call, { method, args })) as Awaited<ReturnType<LocalDbWorkerDeathPage[K]>>;
}

describe("the local db's worker dies (Chromium)", () => {
  it('a flush after the worker was ended fails with db-failed instead of waiting forever, db:worker-died says so once, and what was flushed before is there after a reload', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect(await inPage(page, 'writeThenEnd', 'idb://death-e2e', 500)).toEqual({ flushed: 'db-failed', deaths: 1 });
    expect(await inPage(page, 'reopen', 'idb://death-e2e')).toBe(500);
    await context.close();
  });
});
