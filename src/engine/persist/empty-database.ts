import { PGlite } from '@electric-sql/pglite';
import { readPackedDatabase } from '../../pglite/index.js';
import type { EmitEvent } from '../events.js';
import { pgliteOptions } from './pglite-options.js';
import { indexedDbHoldsDatabase } from './worker/indexeddb-database.js';
import { opfsHoldsDatabase } from './worker/opfs-database.js';

export interface OpenPGliteOptions {
  readonly emit: EmitEvent;
  /** Reads the packed database; by default `src/pglite`'s (a file in Node, a fetch in browsers). */
  readonly loadEmpty?: () => Promise<Blob>;
  /** Whether `dataDir` already holds a database; by default asks IndexedDB, OPFS or the file system. */
  readonly exists?: (dataDir: string) => Promise<boolean>;
}

/**
 * Opens PGlite at `dataDir`. A database that does not exist yet starts from the packed empty one;
 * when that cannot be read or PGlite refuses it, `initdb` runs as before and `db:prebuilt-skipped` says why.
 */
export async function openPGlite(dataDir: string, { emit, loadEmpty = readPackedDatabase, exists = databaseExists }: OpenPGliteOptions): Promise<PGlite> {
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
  getBuiltinModule(id: 'node:fs/promises'): { access(path: string): Promise<void> };
}

const node = (globalThis as { process?: Partial<NodeBuiltins> }).process;

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
