/**
 * A local db's files in the origin's private file system (OPFS), as PGlite's `memfs2opfs://name`
 * keeps them: the PostgreSQL data directory as the OPFS directory `name`. While one is being
 * written whole (a new database, a migration) a marker file `name.incomplete` sits beside it, so
 * an interrupted write is never taken for a database.
 */
export const pgliteOpfsDataDir = (name: string): string => `memfs2opfs://${name}`;

/** Whether OPFS holds a complete database `name`: its `PG_VERSION`, and no marker. */
export async function opfsHoldsDatabase(name: string): Promise<boolean> {
  const root = await opfsRoot();
  if (!root) return false;
  const parent = await directory(root, parentParts(name));
  if (!parent || (await fileIn(parent, lastPart(name)))) return false;
  const folder = await directory(parent, [lastPart(name)]);
  return folder !== null && (await fileIn(folder, 'PG_VERSION'));
}

/** Marks `name` incomplete and removes what OPFS holds of it: a database is about to be written whole. */
export async function startOpfsDatabase(name: string): Promise<void> {
  const parent = await parentDirectory(name);
  await parent.getFileHandle(marker(name), { create: true });
  await parent.removeEntry(lastPart(name), { recursive: true }).catch(ignoreNotFound);
}

/** Removes the marker: the database `name` is complete in OPFS. */
export async function finishOpfsDatabase(name: string): Promise<void> {
  await (await parentDirectory(name)).removeEntry(marker(name)).catch(ignoreNotFound);
}

/** The names PGlite's `memfs2opfs` resolves a path into (`a/b` is the folder b in the folder a). */
const pathParts = (name: string): string[] => name.split('/').filter(Boolean);
const parentParts = (name: string): string[] => pathParts(name).slice(0, -1);
const lastPart = (name: string): string => pathParts(name).at(-1) ?? '';
const marker = (name: string): string => `${lastPart(name)}.incomplete`;

async function opfsRoot(): Promise<FileSystemDirectoryHandle | null> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  return typeof storage?.getDirectory === 'function' ? storage.getDirectory() : null;
}

async function parentDirectory(name: string): Promise<FileSystemDirectoryHandle> {
  let folder = await opfsRoot();
  if (!folder) throw new Error('This browser has no origin private file system.');
  for (const part of parentParts(name)) folder = await folder.getDirectoryHandle(part, { create: true });
  return folder;
}

async function directory(from: FileSystemDirectoryHandle, parts: readonly string[]): Promise<FileSystemDirectoryHandle | null> {
  let folder = from;
  for (const part of parts) {
    const next = await folder.getDirectoryHandle(part).catch(absent);
    if (!next) return null;
    folder = next;
  }
  return folder;
}

async function fileIn(folder: FileSystemDirectoryHandle, name: string): Promise<boolean> {
  return (await folder.getFileHandle(name).catch(absent)) !== null;
}

/** Not there (or not of the kind asked for): anything else is a failure to report. */
function absent(error: unknown): null {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'NotFoundError' || name === 'TypeMismatchError') return null;
  throw error;
}

function ignoreNotFound(error: unknown): void {
  absent(error);
}
