import { createKalphite, type KalphiteEvent, type KalphiteOptions } from '../../src/engine/index.js';

/**
 * The browser half of `e2e/local-db-worker.test.ts`: an engine on a browser dataDir that writes,
 * flushes and closes, one that opens the same database again and reads it, and where the database is.
 */
const entity = (k: number) => ({ id: `note-${k}`, type: 'note', data: { title: `Note ${k}`, done: k % 2 === 0 } });

/** A worker whose script is missing, as a misconfigured bundler would leave it. */
const brokenWorker: KalphiteOptions['environment'] = { startLocalDbWorker: () => new Worker('/no-such-worker.js', { type: 'module' }) };

/** The engine's `db:` events but its schema migrations (a database PGlite's initdb made reports each: not what these tests are about). */
const dbEvents = (events: readonly KalphiteEvent[]) => events.filter((event) => event.type.startsWith('db:') && event.type !== 'db:migrated');

Object.assign(globalThis, {
  localDbWorker: {
    /** Writes n entities, flushes them, closes; answers the engine's `db:` event types. */
    async write(dataDir: string, n: number, worker: 'working' | 'broken') {
      const kalphite = await createKalphite({ dataDir, ...(worker === 'broken' && { environment: brokenWorker }) });
      kalphite.store.batch(() => {
        for (let k = 0; k < n; k++) kalphite.store.entities.set(`note-${k}`, entity(k));
      });
      await kalphite.flush();
      const events = dbEvents(kalphite.events).map((event) => event.type);
      await kalphite.close();
      return events;
    },
    /** Opens the database again: how many entities memory loaded, whether each is what was written, and its `db:` events. */
    async read(dataDir: string, n: number) {
      const kalphite = await createKalphite({ dataDir });
      const size = kalphite.store.entities.size;
      let same = 0;
      for (let k = 0; k < n; k++) {
        const read = kalphite.store.getById(`note-${k}`);
        if (JSON.stringify(read?.data) === JSON.stringify(entity(k).data)) same++;
      }
      const events = dbEvents(kalphite.events);
      await kalphite.close();
      return { size, same, events };
    },
    /**
     * Where the database `name` is: IndexedDB's `/pglite/name`, the OPFS folder `name`; and whether
     * OPFS holds it shut down cleanly (its control file's state, the uint32 at byte 16, is
     * DB_SHUTDOWNED: 1), not as a crash leaves it (DB_IN_PRODUCTION: 6, the next open replays WAL).
     */
    async storage(name: string) {
      const indexedDb = (await indexedDB.databases()).some((database) => database.name === `/pglite/${name}`);
      const root = await navigator.storage.getDirectory();
      const folder = await root.getDirectoryHandle(name).catch(() => null);
      const opfs = (await folder?.getFileHandle('PG_VERSION').then(() => true, () => false)) ?? false;
      const control = await folder
        ?.getDirectoryHandle('global')
        .then((global) => global.getFileHandle('pg_control'))
        .then(async (handle) => new DataView(await (await handle.getFile()).arrayBuffer()))
        .catch(() => null);
      return { indexedDb, opfs, shutDown: control?.getUint32(16, true) === 1 };
    },
  },
});
document.body.dataset.ready = 'true';
