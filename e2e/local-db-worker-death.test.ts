import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePageInChromium, type ServedPage } from './page-in-chromium.js';

/** What e2e/local-db-worker-death/page.ts puts on the page. */
interface LocalDbWorkerDeathPage {
  writeThenEnd(dataDir: string, n: number): Promise<{ flushed: string; deaths: number }>;
  reopen(dataDir: string): Promise<number>;
}

let served: ServedPage<LocalDbWorkerDeathPage>;

beforeAll(async () => {
  served = await servePageInChromium<LocalDbWorkerDeathPage>(resolve(import.meta.dirname, 'local-db-worker-death'), 'localDbWorkerDeath');
}, 120_000);

afterAll(async () => {
  await served?.close();
});

describe("the local db's worker dies (Chromium)", () => {
  it('a flush after the worker was ended fails with db-failed instead of waiting forever, db:worker-died says so once, and what was flushed before is there after a reload', async () => {
    const context = await served.browser.newContext();
    const page = await context.newPage();
    expect(await served.call(page, 'writeThenEnd', 'idb://death-e2e', 500)).toEqual({ flushed: 'db-failed', deaths: 1 });
    expect(await served.call(page, 'reopen', 'idb://death-e2e')).toBe(500);
    await context.close();
  });
});
