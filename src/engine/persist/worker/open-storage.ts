import { PGlite } from '@electric-sql/pglite';
import { openPGlite, type OpenPGliteOptions } from '../empty-database.js';
import { deleteIndexedDbDatabase, indexedDbHoldsDatabase } from './indexeddb-database.js';
import { finishOpfsDatabase, opfsHoldsDatabase, pgliteOpfsDataDir, startOpfsDatabase } from './opfs-database.js';
import { browserDatabaseName, chooseStorage } from './storage-choice.js';

export interface OpenStorageOptions extends Omit<OpenPGliteOptions, 'exists'> {
  /** Whether this thread has OPFS sync access handles; by default asks the thread. */
  readonly syncAccessHandles?: boolean;
  /** Milliseconds for the migration's duration; by default `performance.now`. */
  readonly now?: () => number;
}

/**
 * Opens the local db's PGlite for `dataDir` in the storage `chooseStorage` picks: `idb://name` on
 * OPFS where this thread can (moving an IndexedDB copy there once), on IndexedDB otherwise; other
 * dataDirs as they are. `db:storage` says which storage opened and why; when a new or migrating OPFS
 * database does not open, IndexedDB opens instead (what it holds is untouched until a migration
 * has checked its copy) and `db:storage` says why.
 */
export async function openStorage(dataDir: string, options: OpenStorageOptions): Promise<PGlite> {
  const name = browserDatabaseName(dataDir);
  if (name === null) return openPGlite(dataDir, options);
  const onOpfs = await opfsHoldsDatabase(name);
  const choice = chooseStorage(dataDir, {
    syncAccessHandles: options.syncAccessHandles ?? hasSyncAccessHandles(),
    onOpfs,
    inIndexedDb: await indexedDbHoldsDatabase(name),
  });
  if (choice.storage === null) return openPGlite(dataDir, options);
  const { emit } = options;
  if (choice.storage === 'indexeddb') {
    emit({ type: 'db:storage', dataDir, storage: 'indexeddb', reason: choice.reason });
    return openPGlite(`idb://${name}`, options);
  }
  try {
    const db = choice.migrate ? await migrateToOpfs(dataDir, name, options) : await openOpfs(name, onOpfs, options);
    emit({ type: 'db:storage', dataDir, storage: 'opfs', reason: choice.reason });
    return db;
  } catch (error) {
    if (!choice.fallBack) throw error;
    emit({ type: 'db:storage', dataDir, storage: 'indexeddb', reason: `OPFS did not open: ${messageOf(error)}` });
    return openPGlite(`idb://${name}`, options);
  }
}

/** OPFS sync access handles exist only in dedicated workers (and not in every browser's). */
function hasSyncAccessHandles(): boolean {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  return typeof storage?.getDirectory === 'function' && typeof (globalThis as { FileSystemSyncAccessHandle?: unknown }).FileSystemSyncAccessHandle === 'function';
}

/** A new database is written whole (from the packed empty one) under the marker, then marked complete. */
async function openOpfs(name: string, exists: boolean, options: OpenStorageOptions): Promise<PGlite> {
  if (exists) return openPGlite(pgliteOpfsDataDir(name), { ...options, exists: async () => true });
  await startOpfsDatabase(name);
  const db = await openPGlite(pgliteOpfsDataDir(name), { ...options, exists: async () => false });
  try {
    await db.syncToFs();
    await finishOpfsDatabase(name);
    return db;
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}

/**
 * Moves the IndexedDB database `name` to OPFS: its files are dumped, written to OPFS under the
 * marker, and the OPFS copy is opened from its own files and its rows counted against the
 * original's. Only then is the marker removed, and only after that the IndexedDB copy deleted: an
 * interruption before leaves IndexedDB whole (the next open migrates again, over the partial
 * copy), one after leaves a complete OPFS copy that is opened from then on.
 */
async function migrateToOpfs(dataDir: string, name: string, { emit, now = () => performance.now() }: OpenStorageOptions): Promise<PGlite> {
  const started = now();
  const source = await PGlite.create(`idb://${name}`);
  let counts: Map<string, number>;
  let dump: Blob;
  try {
    counts = await rowCounts(source);
    dump = await source.dumpDataDir('none');
  } finally {
    await source.close();
  }
  await startOpfsDatabase(name);
  // Closing writes every file of the copy to OPFS.
  await (await PGlite.create(pgliteOpfsDataDir(name), { loadDataDir: dump })).close();
  const db = await PGlite.create(pgliteOpfsDataDir(name));
  try {
    const copied = await rowCounts(db);
    const differs = [...counts].find(([table, rows]) => copied.get(table) !== rows);
    if (differs || copied.size !== counts.size) {
      throw new Error(`the OPFS copy does not hold what IndexedDB does${differs ? ` (${differs[0]}: ${differs[1]} rows, ${copied.get(differs[0]) ?? 'no table'} copied)` : ''}`);
    }
    await finishOpfsDatabase(name);
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  const indexedDbKept = await deleteIndexedDbDatabase(name).then(
    (deleted) => (deleted ? null : 'another connection holds it: IndexedDB deletes it once that closes'),
    (error: unknown) => `IndexedDB did not delete it: ${messageOf(error)}`,
  );
  const rows = [...counts.values()].reduce((sum, n) => sum + n, 0);
  emit({ type: 'db:storage-migrated', dataDir, from: 'indexeddb', to: 'opfs', tables: counts.size, rows, bytes: dump.size, durationMs: now() - started, indexedDbKept });
  return db;
}

/** Rows per table of every schema but PostgreSQL's own. */
async function rowCounts(db: PGlite): Promise<Map<string, number>> {
  const tables = await db.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const counts = new Map<string, number>();
  for (const { name } of tables.rows) counts.set(name, (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${name}`)).rows[0]?.n ?? 0);
  return counts;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
