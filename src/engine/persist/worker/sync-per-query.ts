import type { PGlite } from '@electric-sql/pglite';

/** The frontend message that ends an extended-protocol query (`Sync`), and a simple `Query`. */
const SYNC = 0x53;
const QUERY = 0x51;

/**
 * The PGlite a worker serves, persisting once per query instead of once per protocol message.
 * PGliteWorker's page side sends each query as five or six messages (parse, describe, bind,
 * describe, execute, sync), and the worker runs each with PGlite's default `syncToFs: true`, even
 * inside a transaction: on `idb://` every one copied the changed files (the 16 MB WAL segment
 * among them) to IndexedDB, so a first open's eight migrations took seconds. Here a message is
 * run without a sync, and the files are synced after a `Sync` or a simple `Query` that leaves no
 * transaction open: once per statement outside a transaction, once per transaction at COMMIT.
 */
export function syncPerQuery(db: PGlite): PGlite {
  const execProtocolStream: PGlite['execProtocolStream'] = async (message, options) => {
    const results = await db.execProtocolStream(message, { ...options, syncToFs: false });
    if ((message[0] === SYNC || message[0] === QUERY) && !db.isInTransaction()) await db.syncToFs();
    return results;
  };
  return new Proxy(db, {
    get(target, key) {
      if (key === 'execProtocolStream') return execProtocolStream;
      const value: unknown = Reflect.get(target, key, target);
      // Bound to the PGlite itself: its methods read private fields, which a proxy does not have.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
