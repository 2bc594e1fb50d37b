import { PGlite } from '@electric-sql/pglite';
import type { EmitEvent } from '../events.js';
import { pgliteOptions } from './pglite-options.js';
import { indexedDbHoldsDatabase } from './worker/indexeddb-database.js';
import { opfsHoldsDatabase } from './worker/opfs-database.js';

/**
 * A new local database, packed by `scripts/build-empty-database.ts` when the package is installed
 * or built (it is not in git): a PostgreSQL cluster as PGlite's `initdb` leaves it, with the local
 * db's tables at the latest schema version and no rows. A new database loads it instead of running
 * `initdb` and the migrations, which cost seconds in a browser.
 */
export const EMPTY_DATABASE = new URL('./empty-database.tar.gz', import.meta.url);
const EMPTY_DATABASE_FILE = './empty-database.tar.gz';

export interface OpenPGliteOptions {
  readonly emit: EmitEvent;
  /** Reads the packed empty database; by default from beside this module (a file in Node, a fetch in browsers). */
  readonly loadEmpty?: () => Promise<Blob>;
  /** Whether `dataDir` already holds a database; by default asks IndexedDB, OPFS or the file system. */
  readonly exists?: (dataDir: string) => Promise<boolean>;
}

/**
 * Opens PGlite at `dataDir`. A database that does not exist yet starts from the packed empty one;
 * when that cannot be read or PGlite refuses it, `initdb` runs as before and `db:prebuilt-skipped` says why.
 */
export async function openPGlite(dataDir: string, { emit, loadEmpty = readEmptyDatabase, exists = databaseExists }: OpenPGliteOptions): Promise<PGlite> {
  const options = pgliteOptions(dataDir);
  if (await exists(dataDir)) return PGlite.create(dataDir, options);
  let empty: Blob;
  try {
    empty = await loadEmpty();
  } catch (error) {
    emit({ type: 'db:prebuilt-skipped', reason: `The packed empty database could not be read: ${messageOf(error)}` });
    return PGlite.create(dataDir, options);
  }
  try {
    return await PGlite.create(dataDir, { ...options, loadDataDir: empty });
  } catch (error) {
    emit({ type: 'db:prebuilt-skipped', reason: `PGlite refused the packed empty database: ${messageOf(error)}` });
    return PGlite.create(dataDir, options);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** What this module needs of Node, reached without an import so browser bundles never see one. */
interface NodeBuiltins {
  getBuiltinModule(id: 'node:fs/promises'): { readFile(path: URL): Promise<Uint8Array<ArrayBuffer>>; access(path: string): Promise<void> };
}

const node = (globalThis as { process?: Partial<NodeBuiltins> }).process;

async function readEmptyDatabase(): Promise<Blob> {
  // On Node the file is read beside this module, even where a bundler rewrote EMPTY_DATABASE to a
  // page URL (vitest's jsdom does): a name the bundler cannot see keeps import.meta.url's file URL.
  if (node?.getBuiltinModule && import.meta.url.startsWith('file:')) {
    const beside = new URL(EMPTY_DATABASE_FILE, import.meta.url);
    return new Blob([await node.getBuiltinModule('node:fs/promises').readFile(beside)]);
  }
  const response = await fetch(EMPTY_DATABASE);
  if (!response.ok) throw new Error(`${EMPTY_DATABASE.href} answered ${response.status}`);
  return response.blob();
}

/**
 * Whether `dataDir` holds a database: IndexedDB's `/pglite/name` for `idb://name`, a complete OPFS
 * folder for `memfs2opfs://name`, `PG_VERSION` in a folder. Where nobody can tell (IndexedDB without
 * a list of databases, PGlite's `opfs-ahp://`), assume one exists: initdb runs for a new one, as before.
 */
async function databaseExists(dataDir: string): Promise<boolean> {
  if (dataDir.startsWith('memory://')) return false;
  if (dataDir.startsWith('idb://')) return (await indexedDbHoldsDatabase(dataDir.slice('idb://'.length))) ?? true;
  if (dataDir.startsWith('memfs2opfs://')) return opfsHoldsDatabase(dataDir.slice('memfs2opfs://'.length));
  if (dataDir.startsWith('opfs-ahp://')) return true;
  const folder = dataDir.startsWith('file://') ? dataDir.slice('file://'.length) : dataDir;
  if (!node?.getBuiltinModule) return true;
  return node
    .getBuiltinModule('node:fs/promises')
    .access(`${folder}/PG_VERSION`)
    .then(() => true, () => false);
}
