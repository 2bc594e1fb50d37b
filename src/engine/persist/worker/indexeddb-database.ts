/** PGlite's IndexedDB file system keeps a database `idb://name` as the IndexedDB database `/pglite/name`. */
const indexedDbName = (name: string): string => `/pglite/${name}`;

const factory = (): IDBFactory | undefined => (globalThis as { indexedDB?: IDBFactory }).indexedDB;

/**
 * Whether IndexedDB holds the database `name`; null where IndexedDB cannot list its databases
 * (then nobody can tell, and the caller assumes what is safe).
 */
export async function indexedDbHoldsDatabase(name: string): Promise<boolean | null> {
  const idb = factory();
  if (typeof idb?.databases !== 'function') return null;
  return (await idb.databases()).some((database) => database.name === indexedDbName(name));
}

/**
 * Deletes the IndexedDB database `name`: true once it is gone, false when another connection
 * blocks it (IndexedDB then deletes it once that closes; waiting could take as long as a tab lives).
 */
export function deleteIndexedDbDatabase(name: string): Promise<boolean> {
  const idb = factory();
  if (!idb) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const request = idb.deleteDatabase(indexedDbName(name));
    request.onsuccess = () => resolve(true);
    request.onblocked = () => resolve(false);
    request.onerror = () => reject(request.error ?? new Error(`IndexedDB did not delete ${indexedDbName(name)}`));
  });
}
