import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { serveStatic } from '../e2e/static-server.js';
import { ms, type Row } from './measure.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Gaps {
  readonly longestGap: number;
  readonly longTasks: number;
  readonly longestTask: number;
  /** The synchronous write before the flush (flushGaps only). */
  readonly writeMs?: number;
}

/** What bench/browser-open/page.ts puts on the page. */
interface Bench {
    firstOpen(name: string): Promise<number>;
    bareFirstOpen(name: string): Promise<number>;
    bareInitdb(name: string): Promise<number>;
    seed(name: string, n: number): Promise<void>;
    reopen(name: string, n: number): Promise<number>;
    bareReopen(name: string, n: number): Promise<number>;
    flushGaps(name: string, n: number, where: 'worker' | 'main thread'): Promise<Gaps>;
    idleGaps(durationMs: number): Promise<Gaps>;
}

/** `KALPHITE_BENCH_PARTS=flush` (or `first,reload`) runs only those parts; all by default. */
const parts = new Set((process.env.KALPHITE_BENCH_PARTS ?? 'first,reload,flush').split(','));

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * The local db in Chromium (in the leader's worker, on OPFS), from a production build of
 * bench/browser-open, each figure against its floor in the same run: a first
 * visit until the store is ready (against bare PGlite from the same packed database, and initdb as
 * it was), a reload of 10,000 and 100,000 entities (against bare PGlite and a SELECT), and the
 * main thread while a flush runs (the longest gap between zero-delay timers, against the same loop idle).
 * Each measurement runs in a fresh page, as a visit would.
 */
export async function benchBrowserOpen(runs = 5): Promise<Row[]> {
  if (!existsSync(CHROMIUM)) {
    console.warn(`⚠ No Chromium at ${CHROMIUM}: skipping the browser open benchmark.`);
    return [];
  }
  // A production build, as an app's visitors load it (one chunk for the worker, PGlite's wasm beside
  // it), not Vite's dev server, which serves the worker's modules one request each.
  const outDir = mkdtempSync(join(tmpdir(), 'kalphite-bench-open-'));
  await build({ configFile: false, root: resolve(import.meta.dirname, 'browser-open'), logLevel: 'error', build: { outDir, emptyOutDir: true }, worker: { format: 'es' } });
  const served = await serveStatic(outDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
  let page: Page | null = null;
  let names = 0;
  /** One call in a fresh page of one browser profile (IndexedDB persists across its pages). */
  const inPage = async <T>(method: keyof Bench, ...args: readonly (string | number)[]): Promise<T> => {
    await page?.close();
    page = await context.newPage();
    await page.goto(served.url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 120_000 });
    const call = ({ name, params }: { name: string; params: readonly (string | number)[] }) =>
      (globalThis as unknown as { bench: Record<string, (...values: readonly (string | number)[]) => unknown> }).bench[name]!(...params);
    return (await page.evaluate(call, { name: method, params: args })) as T;
  };
  const newName = () => `kalphite-bench-open-${++names}`;
  const context = await browser.newContext();
  try {
    const times = async (method: 'firstOpen' | 'bareFirstOpen' | 'bareInitdb') => {
      const measured: number[] = [];
      await inPage(method, newName()); // warm-up: the wasm and the packed database into the HTTP cache
      for (let i = 0; i < runs; i++) measured.push(await inPage<number>(method, newName()));
      return median(measured);
    };
    const rows: Row[] = [];
    if (parts.has('first')) {
      const first = await times('firstOpen');
      const bare = await times('bareFirstOpen');
      const initdb = await times('bareInitdb');
      rows.push(
        { figure: 'Chromium: first visit, new idb:// database (on OPFS) until the store is ready', n: 0, kalphite: ms(first), floor: `${ms(bare)} (bare PGlite from the packed database, on OPFS)`, ratio: first / bare, target: '≤ 0.8 s', pass: first <= 800 },
        { figure: 'Chromium: first visit before the packed database (bare PGlite running initdb, on IndexedDB)', n: 0, kalphite: ms(initdb), floor: ms(bare), ratio: initdb / bare, target: '—', pass: null },
      );
    }
    for (const n of parts.has('reload') ? [10_000, 100_000] : []) {
      const name = newName();
      await inPage('seed', name, n);
      const reopen: number[] = [];
      const floor: number[] = [];
      for (let i = 0; i < (n >= 100_000 ? 3 : runs); i++) {
        reopen.push(await inPage<number>('reopen', name, n));
        floor.push(await inPage<number>('bareReopen', name, n));
      }
      const [engine, bareRead] = [median(reopen), median(floor)];
      const target = n >= 100_000 ? 1500 : 500;
      rows.push({ figure: 'Chromium: reload, open the idb:// database (on OPFS) and load it into memory', n, kalphite: ms(engine), floor: `${ms(bareRead)} (bare PGlite on OPFS + SELECT)`, ratio: engine / bareRead, target: `≤ ${target / 1000} s`, pass: engine <= target });
    }
    for (const n of parts.has('flush') ? [1_000, 10_000] : []) {
      const flush = await inPage<Gaps>('flushGaps', newName(), n, 'worker');
      const mainThread = await inPage<Gaps>('flushGaps', newName(), n, 'main thread');
      const idle = await inPage<Gaps>('idleGaps', 500);
      rows.push({
        figure: `Chromium: longest main-thread gap while ${n.toLocaleString('en-US')} entities flush (${flush.longTasks} long tasks, longest ${ms(flush.longestTask)}; the write before it ${ms(flush.writeMs ?? 0)})`,
        n,
        kalphite: ms(flush.longestGap),
        floor: `${ms(idle.longestGap)} (the timer loop idle); PGlite on the main thread (IndexedDB) ${ms(mainThread.longestGap)}`,
        ratio: flush.longestGap / idle.longestGap,
        target: '≤ 16 ms',
        pass: flush.longestGap <= 16,
      });
    }
    return rows;
  } finally {
    await browser.close();
    await served.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
