import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createServer } from 'vite';
import { ms, type Row } from './measure.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface BenchPage {
  bench: {
    tabs(): { role: string; count: number };
    write(count: number): Promise<void>;
    raw(count: number): Promise<void>;
    latencies(): { kalphite: number[]; raw: number[] };
  };
}

const percentile = (values: readonly number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? Number.NaN;

/**
 * Cross-tab propagation in Chromium: a write in tab A until it is in tab B's memory, against the
 * floor of a bare BroadcastChannel message between the same two tabs.
 */
export async function benchTabLatency(samples = 200): Promise<Row[]> {
  if (!existsSync(CHROMIUM)) {
    console.warn(`⚠ No Chromium at ${CHROMIUM}: skipping the cross-tab benchmark.`);
    return [];
  }
  const vite = await createServer({
    configFile: false,
    root: resolve(import.meta.dirname, 'tab-latency'),
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1' },
    optimizeDeps: { exclude: ['@electric-sql/pglite'] },
  });
  await vite.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
  try {
    const context = await browser.newContext();
    const open = async (): Promise<Page> => {
      const page = await context.newPage();
      await page.goto(vite.resolvedUrls!.local[0]!);
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 120_000 });
      return page;
    };
    const a = await open();
    const b = await open();
    await b.waitForFunction(() => (globalThis as unknown as BenchPage).bench.tabs().count === 2);
    const rows: Row[] = [];
    // Both directions: the leader's writes, and a follower's (which also go to the leader as a batch).
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      await from.evaluate((n) => (globalThis as unknown as BenchPage).bench.raw(n), samples);
      await from.evaluate((n) => (globalThis as unknown as BenchPage).bench.write(n), samples);
      await to.waitForFunction((n) => (globalThis as unknown as BenchPage).bench.latencies().kalphite.length >= n, samples);
      const { kalphite, raw } = await to.evaluate(() => (globalThis as unknown as BenchPage).bench.latencies());
      const role = await from.evaluate(() => (globalThis as unknown as BenchPage).bench.tabs().role);
      for (const p of [50, 95]) {
        const measured = percentile(kalphite, p);
        const floor = percentile(raw, p);
        rows.push({
          figure: `cross-tab write → other tab's memory, p${p} (Chromium, ${role} writes)`,
          n: samples,
          kalphite: ms(measured),
          floor: ms(floor),
          ratio: measured / floor,
          target: p === 50 ? 'p50 < 16 ms' : '—',
          pass: p !== 50 || measured < 16,
        });
      }
    }
    return rows;
  } finally {
    await browser.close();
    await vite.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./measure.js');
  printTable(await benchTabLatency());
}
