/**
 * A new database packed at install and build time by `scripts/build-empty-database.ts` (it is not
 * in git): a PostgreSQL cluster as PGlite's `initdb` leaves it, with the local db's tables at the
 * latest schema version and no rows. A new local db and a new sync server database load it instead
 * of running `initdb`, which costs seconds (in a browser, and for every server a test starts).
 */
export const PACKED_DATABASE = new URL('./packed-database.tar.gz', import.meta.url);
const PACKED_DATABASE_FILE = './packed-database.tar.gz';

/** What this module needs of Node, reached without an import so browser bundles never see one. */
interface NodeBuiltins {
  getBuiltinModule(id: 'node:fs/promises'): { readFile(path: URL): Promise<Uint8Array<ArrayBuffer>> };
}

/** Reads the packed database: a file beside this module in Node, a fetch in browsers. */
export async function readPackedDatabase(): Promise<Blob> {
  const node = (globalThis as { process?: Partial<NodeBuiltins> }).process;
  // On Node the file is read beside this module, even where a bundler rewrote PACKED_DATABASE to a
  // page URL (vitest's jsdom does): a name the bundler cannot see keeps import.meta.url's file URL.
  if (node?.getBuiltinModule && import.meta.url.startsWith('file:')) {
    const beside = new URL(PACKED_DATABASE_FILE, import.meta.url);
    return new Blob([await node.getBuiltinModule('node:fs/promises').readFile(beside)]);
  }
  const response = await fetch(PACKED_DATABASE);
  if (!response.ok) throw new Error(`${PACKED_DATABASE.href} answered ${response.status}`);
  return response.blob();
}

/** The statement that empties the packed database of the local db's tables (a sync server's new database, a test's empty cluster). */
export const WITHOUT_LOCAL_DB_TABLES = 'DROP SCHEMA public CASCADE; CREATE SCHEMA public';
