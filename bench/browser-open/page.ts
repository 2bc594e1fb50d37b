import { PGlite } from '@electric-sql/pglite';
import { createKalphite } from '../../src/engine/index.js';
import { PACKED_DATABASE } from '../../src/pglite/index.js';
import { comments } from '../fixtures.js';

/**
 * The browser half of `bench/browser-open.bench.ts`: each function measures one thing in this page
 * and answers in milliseconds. Every database is new (names are never reused). The engine's
 * `idb://name` lands on OPFS in Chromium (`memfs2opfs://name`), so the bare floors open that.
 */
const since = (start: number) => performance.now() - start;

/** The longest gap between zero-delay timer callbacks while `work` runs, and the long tasks Chromium saw. */
async function mainThreadGaps(work: () => Promise<void>): Promise<{ longestGap: number; longTasks: number; longestTask: number }> {
  const tasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });
  let longestGap = 0;
  let running = true;
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  await work();
  running = false;
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { longestGap, longTasks: tasks.length, longestTask: Math.max(0, ...tasks) };
}

Object.assign(globalThis, {
  bench: {
    /** A new database until the store is ready, as an app's first visit opens it. */
    async firstOpen(name: string) {
      const start = performance.now();
      const kalphite = await createKalphite({ dataDir: `idb://${name}` });
      const elapsed = since(start);
      await kalphite.close();
      return elapsed;
    },
    /** The floor: bare PGlite on a new database from the same packed empty database. */
    async bareFirstOpen(name: string) {
      const start = performance.now();
      const empty = await (await fetch(PACKED_DATABASE)).blob();
      const db = await PGlite.create(`memfs2opfs://${name}`, { loadDataDir: empty });
      const elapsed = since(start);
      await db.close();
      return elapsed;
    },
    /** What a first open cost before the packed database: bare PGlite running initdb. */
    async bareInitdb(name: string) {
      const start = performance.now();
      const db = await PGlite.create(`idb://${name}`);
      const elapsed = since(start);
      await db.close();
      return elapsed;
    },
    async seed(name: string, n: number) {
      const kalphite = await createKalphite({ dataDir: `idb://${name}` });
      kalphite.store.batch(() => {
        for (const entity of comments(n)) kalphite.store.entities.set(entity.id, entity);
      });
      await kalphite.close();
    },
    /** A reload: open an existing database and load its entities into memory. */
    async reopen(name: string, n: number) {
      const start = performance.now();
      const kalphite = await createKalphite({ dataDir: `idb://${name}` });
      const elapsed = since(start);
      if (kalphite.store.entities.size !== n) throw new Error(`loaded ${kalphite.store.entities.size} of ${n}`);
      await kalphite.close();
      return elapsed;
    },
    /** The floor of a reload: bare PGlite on the same database and one SELECT of the rows. */
    async bareReopen(name: string, n: number) {
      const start = performance.now();
      const db = await PGlite.create(`memfs2opfs://${name}`);
      const { rows } = await db.query('SELECT id, type, value FROM entities');
      const elapsed = since(start);
      if (rows.length !== n) throw new Error(`read ${rows.length} of ${n}`);
      await db.close();
      return elapsed;
    },
    /**
     * The main thread while a flush of n entities to a new database runs. The write before it is
     * the app's own synchronous work (timed apart, in `writeMs`): the loop starts once it returned.
     */
    async flushGaps(name: string, n: number, where: 'worker' | 'main thread') {
      const kalphite = await createKalphite({
        dataDir: `idb://${name}`,
        flushDelayMs: 60_000,
        flushMaxWaitMs: 60_000,
        // PGlite on the main thread, as before the worker (and as the fallback when it fails).
        ...(where === 'main thread' && { environment: { startLocalDbWorker: null } }),
      });
      const failed = kalphite.events.find((event) => event.type === 'db:worker-failed');
      if (failed) throw new Error(`The local db's worker failed: ${failed.reason}`);
      const entities = comments(n);
      const start = performance.now();
      kalphite.store.batch(() => {
        for (const entity of entities) kalphite.store.entities.set(entity.id, entity);
      });
      const writeMs = since(start);
      // A task boundary first: else the write's own task ends inside the window and counts as a long task.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const gaps = await mainThreadGaps(() => kalphite.flush());
      await kalphite.close();
      return { ...gaps, writeMs };
    },
    /** The floor: the same timer loop for as long, with nothing else running. */
    async idleGaps(durationMs: number) {
      return mainThreadGaps(() => new Promise((resolve) => setTimeout(resolve, durationMs)));
    },
  },
});
document.body.dataset.ready = 'true';
