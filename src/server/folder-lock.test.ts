import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderLockedError, lockFolder } from './folder-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kalphite-lock-'));
  dirs.push(dir);
  return join(dir, 'server');
};

describe('lockFolder', () => {
  it('holds the pid beside the folder, refuses a second holder (this process too), and is released', () => {
    const data = folder();
    const lock = lockFolder(data);
    expect(lock.path).toBe(`${data}.lock`);
    expect(readFileSync(lock.path, 'utf8')).toBe(String(process.pid));
    expect(() => lockFolder(data)).toThrow(FolderLockedError);
    expect(() => lockFolder(data)).toThrow(`is in use by process ${process.pid}`);
    lock.release();
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    lockFolder(data).release();
  });

  it('takes over the lock of a process that no longer runs', () => {
    const data = folder();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(`${data}.lock`, dead);
    const lock = lockFolder(data);
    expect(readFileSync(lock.path, 'utf8')).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a lock that holds no pid (written by a process that died mid-write)', () => {
    const data = folder();
    writeFileSync(`${data}.lock`, '');
    lockFolder(data).release();
  });

  it('does not remove a lock another process took over since', () => {
    const data = folder();
    const lock = lockFolder(data);
    writeFileSync(lock.path, '1');
    lock.release();
    expect(readFileSync(`${data}.lock`, 'utf8')).toBe('1');
  });
});
