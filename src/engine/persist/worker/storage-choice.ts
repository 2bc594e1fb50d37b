/** Where a browser's local db keeps its files. */
export type BrowserStorage = 'opfs' | 'indexeddb';

/** What a thread offers and what it found, for the database `name` of a browser dataDir. */
export interface StorageFacts {
  /** OPFS sync access handles here (a dedicated worker of a browser that has them). */
  readonly syncAccessHandles: boolean;
  /** A complete copy of the database in OPFS. */
  readonly onOpfs: boolean;
  /** The IndexedDB database PGlite keeps `idb://name` in (`/pglite/name`); null where IndexedDB cannot list its databases. */
  readonly inIndexedDb: boolean | null;
}

export type StorageChoice =
  | {
      readonly storage: BrowserStorage;
      readonly name: string;
      /** Copy the IndexedDB database to OPFS first, then delete it. */
      readonly migrate: boolean;
      /** Open IndexedDB when OPFS does not open (only where that hides no data). */
      readonly fallBack: boolean;
      readonly reason: string;
    }
  /** Not a browser database (`memory://`, a folder, PGlite's own schemes): PGlite opens it as it is. */
  | { readonly storage: null };

export const OPFS_SCHEME = 'opfs://';
export const IDB_SCHEME = 'idb://';
export const IDB_ONLY_SCHEME = 'idb-only://';

/** The schemes of a database a browser keeps (IndexedDB or OPFS): one tab at a time may hold it. */
const BROWSER_SCHEMES = [IDB_SCHEME, IDB_ONLY_SCHEME, OPFS_SCHEME, 'memfs2opfs://', 'opfs-ahp://'];

export function isBrowserDataDir(dataDir: string): boolean {
  return BROWSER_SCHEMES.some((scheme) => dataDir.startsWith(scheme));
}

/** The database name of a Kalphite browser dataDir (`idb://`, `idb-only://`, `opfs://`), or null. */
export function browserDatabaseName(dataDir: string): string | null {
  for (const scheme of [IDB_SCHEME, IDB_ONLY_SCHEME, OPFS_SCHEME]) if (dataDir.startsWith(scheme)) return dataDir.slice(scheme.length);
  return null;
}

/**
 * Chooses the storage of `dataDir`. `idb://name` (what apps configure) lands on OPFS where this
 * thread has sync access handles, migrating an IndexedDB copy once; IndexedDB otherwise. A copy
 * already on OPFS is opened wherever the choice is made (PGlite writes it with streams where
 * there are no sync handles), so a fallback never shows an empty IndexedDB database in its place.
 * `idb-only://name` stays on IndexedDB; `opfs://name` is the OPFS copy `idb://name` uses, and never
 * falls back.
 */
export function chooseStorage(dataDir: string, facts: StorageFacts): StorageChoice {
  if (dataDir.startsWith(IDB_ONLY_SCHEME)) {
    return { storage: 'indexeddb', name: dataDir.slice(IDB_ONLY_SCHEME.length), migrate: false, fallBack: false, reason: 'idb-only:// keeps the database in IndexedDB' };
  }
  if (dataDir.startsWith(OPFS_SCHEME)) {
    return { storage: 'opfs', name: dataDir.slice(OPFS_SCHEME.length), migrate: false, fallBack: false, reason: 'opfs:// keeps the database in OPFS' };
  }
  if (!dataDir.startsWith(IDB_SCHEME)) return { storage: null };
  const name = dataDir.slice(IDB_SCHEME.length);
  if (facts.onOpfs) return { storage: 'opfs', name, migrate: false, fallBack: false, reason: 'the database is on OPFS' };
  if (facts.syncAccessHandles && facts.inIndexedDb === null) {
    // A new OPFS database would hide whatever IndexedDB holds.
    return { storage: 'indexeddb', name, migrate: false, fallBack: false, reason: 'IndexedDB cannot list its databases, so its data stays where it may be' };
  }
  if (facts.syncAccessHandles) {
    return {
      storage: 'opfs',
      name,
      migrate: facts.inIndexedDb === true,
      fallBack: true,
      reason: facts.inIndexedDb ? 'OPFS sync access handles are available: the IndexedDB database moves to OPFS' : 'OPFS sync access handles are available',
    };
  }
  return { storage: 'indexeddb', name, migrate: false, fallBack: false, reason: 'no OPFS sync access handles in this thread' };
}
