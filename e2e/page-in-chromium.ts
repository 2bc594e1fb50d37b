import type { Browser, Page } from 'playwright-core';
import { createServer } from 'vite';
import { launchChromium } from './browser.js';

/** What a served page puts on `globalThis[global]`: functions a test or a bench calls in it. */
type PageFunctions<T> = { readonly [K in keyof T]: (...args: never[]) => Promise<unknown> };

/**
 * A folder with an `index.html` and the `page.ts` it loads, served by Vite (PGlite left as it is
 * published, its wasm beside it) and opened in Chromium. The page sets `body[data-ready]` once its
 * functions are on `globalThis[global]`; `call` loads the page afresh in `page` (a reload: the
 * context's IndexedDB and OPFS stay) and runs one of them there.
 */
export interface ServedPage<T extends PageFunctions<T>> {
  readonly browser: Browser;
  call<K extends keyof T>(page: Page, method: K, ...args: Parameters<T[K]>): Promise<Awaited<ReturnType<T[K]>>>;
  close(): Promise<void>;
}

export async function servePageInChromium<T extends PageFunctions<T>>(root: string, global: string): Promise<ServedPage<T>> {
  const vite = await createServer({
    configFile: false,
    root,
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1', hmr: false, watch: null },
    optimizeDeps: { exclude: ['@electric-sql/pglite', '@electric-sql/pglite/worker'] },
  });
  await vite.listen();
  const url = vite.resolvedUrls!.local[0]!;
  const browser = await launchChromium().catch(async (error: unknown) => {
    await vite.close();
    throw error;
  });
  return {
    browser,
    async call<K extends keyof T>(page: Page, method: K, ...args: Parameters<T[K]>): Promise<Awaited<ReturnType<T[K]>>> {
      await page.goto(url);
      // Vite compiles the page's modules on the first visit: allow for it.
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 120_000 });
      const run = ({ global, method, args }: { global: string; method: string; args: unknown[] }) =>
        (globalThis as unknown as Record<string, Record<string, (...values: unknown[]) => unknown>>)[global]![method]!(...args);
      return (await page.evaluate(run, { global, method: String(method), args })) as Awaited<ReturnType<T[K]>>;
    },
    async close() {
      await browser.close();
      await vite.close();
    },
  };
}
