import { createKalphite, isKalphiteError } from '../../src/engine/index.js';
import { startLocalDbWorker } from '../../src/engine/persist/worker/index.js';

/**
 * The browser half of `e2e/local-db-worker-death.test.ts`: an engine whose local db's worker is
 * ended after a flush (as the browser ends one), then asked to flush again; and a reopen.
 */
const entity = (k: number) => ({ id: `note-${k}`, type: 'note', data: { title: `Note ${k}` } });

Object.assign(globalThis, {
  localDbWorkerDeath: {
    /** Writes n entities and flushes, ends the worker, writes once more: how that flush ended, and the worker's events. */
    async writeThenEnd(dataDir: string, n: number) {
      let worker: Worker | null = null;
      const kalphite = await createKalphite({
        dataDir,
        environment: {
          startLocalDbWorker: () => {
            worker = startLocalDbWorker();
            return worker;
          },
        },
      });
      kalphite.store.batch(() => {
        for (let k = 0; k < n; k++) kalphite.store.entities.set(`note-${k}`, entity(k));
      });
      await kalphite.flush();
      (worker as Worker | null)?.terminate();
      const died = new Promise<void>((resolve) => {
        const check = () => (kalphite.events.some((event) => event.type === 'db:worker-died') ? resolve() : setTimeout(check, 10));
        check();
      });
      await died;
      kalphite.store.entities.set(`note-${n}`, entity(n));
      const flushed = await kalphite.flush().then(
        () => 'flushed',
        (error: unknown) => (isKalphiteError(error) ? error.code : 'not a KalphiteError'),
      );
      const deaths = kalphite.events.filter((event) => event.type === 'db:worker-died').length;
      await kalphite.close().catch(() => {});
      return { flushed, deaths };
    },
    /** Opens the database again: how many entities memory loaded. */
    async reopen(dataDir: string) {
      const kalphite = await createKalphite({ dataDir });
      const size = kalphite.store.entities.size;
      await kalphite.close();
      return size;
    },
  },
});
document.body.dataset.ready = 'true';
