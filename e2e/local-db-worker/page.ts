import { createKalphite, type KalphiteOptions } from '../../src/engine/index.js';

/**
 * The browser half of `e2e/local-db-worker.test.ts`: an engine on `idb://` that writes, flushes and
 * closes, and one that opens the same database again and reads it.
 */
const entity = (k: number) => ({ id: `note-${k}`, type: 'note', data: { title: `Note ${k}`, done: k % 2 === 0 } });

/** A worker whose script is missing, as a misconfigured bundler would leave it. */
const brokenWorker: KalphiteOptions['environment'] = { startLocalDbWorker: () => new Worker('/no-such-worker.js', { type: 'module' }) };

Object.assign(globalThis, {
  localDbWorker: {
    /** Writes n entities, flushes them, closes; answers the engine's `db:` events but migrations. */
    async write(dataDir: string, n: number, worker: 'working' | 'broken') {
      const kalphite = await createKalphite({ dataDir, ...(worker === 'broken' && { environment: brokenWorker }) });
      kalphite.store.batch(() => {
        for (let k = 0; k < n; k++) kalphite.store.entities.set(`note-${k}`, entity(k));
      });
      await kalphite.flush();
      // A new database also reports each of its migrations: those are not what this test is about.
      const events = kalphite.events.filter((event) => event.type.startsWith('db:') && event.type !== 'db:migrated').map((event) => event.type);
      await kalphite.close();
      return events;
    },
    /** Opens the database again: how many entities memory loaded, and whether each is what was written. */
    async read(dataDir: string, n: number) {
      const kalphite = await createKalphite({ dataDir });
      const size = kalphite.store.entities.size;
      let same = 0;
      for (let k = 0; k < n; k++) {
        const read = kalphite.store.getById(`note-${k}`);
        if (JSON.stringify(read?.data) === JSON.stringify(entity(k).data)) same++;
      }
      await kalphite.close();
      return { size, same };
    },
  },
});
document.body.dataset.ready = 'true';
