import { PGlite, type Extension, type PGliteInterface, type PGliteOptions } from '@electric-sql/pglite';

/** The two members of Emscripten's in-memory file system (MEMFS) that decide how a file grows. */
interface MemFs {
  expandFileStorage(node: MemFsNode, capacity: number): void;
  getFileDataAsTypedArray(node: MemFsNode): Uint8Array;
}

interface MemFsNode {
  contents: Uint8Array | null;
}

function isMemFs(value: unknown): value is MemFs {
  const fs = value as Partial<MemFs> | null;
  return typeof fs?.expandFileStorage === 'function' && typeof fs.getFileDataAsTypedArray === 'function';
}

/**
 * A PGlite extension for `memory://` databases: files grow by doubling. Emscripten grows a file
 * past 1 MB by 12.5% at a time, copying it whole each time, while PostgreSQL extends a table 8 KB
 * at a time: flushing 100,000 entities allocated about 1 GB of copies (and the collections they
 * force) for 60 MB of data. Doubling makes growth amortised constant for at most twice the memory.
 * Not for `idb://`: IndexedDB stores a file's whole buffer, so spare capacity would be persisted.
 */
export const filesGrowByDoubling: Extension = {
  name: 'kalphite-files-grow-by-doubling',
  setup: async (_pg, emscriptenOpts: { preRun?: ((mod: { MEMFS?: unknown }) => void)[] }) => ({
    emscriptenOpts: {
      ...emscriptenOpts,
      preRun: [
        ...(emscriptenOpts.preRun ?? []),
        (mod: { MEMFS?: unknown }) => {
          // Another PGlite build may not have this shape: then files grow as Emscripten decides.
          if (isMemFs(mod.MEMFS)) growByDoubling(mod.MEMFS);
        },
      ],
    },
  }),
};

function growByDoubling(memfs: MemFs): void {
  memfs.expandFileStorage = (node, capacity) => {
    const previous = node.contents?.length ?? 0;
    if (previous >= capacity) return;
    const contents = new Uint8Array(Math.max(capacity, previous * 2, 256));
    contents.set(memfs.getFileDataAsTypedArray(node));
    node.contents = contents;
  };
}

/** The options the local db opens PGlite with at `dataDir` (`memory://`, `idb://name` or a folder). */
export function pgliteOptions(dataDir: string): PGliteOptions {
  return dataDir.startsWith('memory://') ? { extensions: { filesGrowByDoubling } } : {};
}

/**
 * Whether the database's files live in memory (`memory://`, and `idb://` and `memfs2opfs://`,
 * which keep them in memory and copy them to IndexedDB or OPFS), where PostgreSQL's zero-filling
 * of each new WAL segment reserves no disk space and only costs the copies of a growing file.
 */
export function filesInMemory(db: PGliteInterface): boolean {
  if (!(db instanceof PGlite)) return false;
  const { dataDir } = db;
  return dataDir === undefined || ['memory://', 'idb://', 'memfs2opfs://'].some((scheme) => dataDir.startsWith(scheme));
}
