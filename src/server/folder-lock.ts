import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * One server process per PGlite folder. Two processes on one folder each run their own PostgreSQL
 * over the same files: they drift apart and lose acknowledged writes at the next restart. The lock
 * is a file beside the folder (`<folder>.lock`, holding the owner's pid), because PGlite's initdb
 * wants its folder to itself. A lock whose pid is no longer running (a crash, a SIGKILL) is taken
 * over; a lock held by a live process, this one included, is refused.
 */
export interface FolderLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

export class FolderLockedError extends Error {
  override readonly name = 'FolderLockedError';
  readonly code = 'folder-locked';
  readonly pid: number;

  constructor(folder: string, pid: number, lockPath: string) {
    super(`The data folder ${folder} is in use by process ${pid} (lock file ${lockPath}): stop that server or choose another folder.`);
    this.pid = pid;
  }
}

/** Locks `folder` for this process (creating the folders above it); throws a `FolderLockedError`. */
export function lockFolder(folder: string): FolderLock {
  const path = `${resolve(folder)}.lock`;
  // PGlite creates its own folder but not the folders above it, where the lock goes.
  mkdirSync(dirname(path), { recursive: true });
  // Two attempts: the second after removing a dead owner's lock. A third process racing us for the
  // same stale lock wins or loses at the exclusive create, never both.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        path,
        release: () => {
          if (released) return;
          released = true;
          if (owner(path) === process.pid) unlinkSync(path);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = owner(path);
      if (pid !== null && running(pid)) throw new FolderLockedError(folder, pid, path);
      try {
        unlinkSync(path);
      } catch (unlinkError) {
        // Another process took the stale lock over first: the next attempt meets its lock.
        if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError;
      }
    }
  }
  const pid = owner(path) ?? 0;
  throw new FolderLockedError(folder, pid, path);
}

/** The pid in a lock file, or null when it is unreadable (half-written by a process that died). */
function owner(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which is still a live owner.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
