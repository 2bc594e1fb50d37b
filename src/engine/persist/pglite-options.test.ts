import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmitEvent } from '../events.js';
import { PACKED_DATABASE } from '../../pglite/index.js';
import { openPGlite } from './empty-database.js';
import { LocalDb } from './local-db.js';
import { filesInMemory } from './pglite-options.js';

/** Emscripten's file system inside a PGlite: not public, read here to prove the extension took. */
interface Files {
  writeFile(path: string, data: Uint8Array): void;
  open(path: string, flags: string): unknown;
  write(stream: unknown, data: Uint8Array, offset: number, length: number): number;
  close(stream: unknown): void;
  lookupPath(path: string): { node: { contents: Uint8Array; usedBytes: number } };
}
const filesOf = (pglite: PGliteInterface) => (pglite as unknown as { mod: { FS: Files } }).mod.FS;

/** The capacity of a 2 MB file after 8 KB more are appended to it. */
function capacityAfterAppend(pglite: PGliteInterface): number {
  const fs = filesOf(pglite);
  fs.writeFile('/tmp/grow', new Uint8Array(2 * 2 ** 20));
  const stream = fs.open('/tmp/grow', 'a');
  fs.write(stream, new Uint8Array(8192), 0, 8192);
  fs.close(stream);
  return fs.lookupPath('/tmp/grow').node.contents.length;
}

const showWalInitZero = async (pglite: PGlite) => (await pglite.query<{ wal_init_zero: string }>('SHOW wal_init_zero')).rows[0]?.wal_init_zero;
const openLocalDb = (pglite: PGlite) => LocalDb.open({ pglite, randomId: () => 'client', now: () => 0, emit: () => {} });

/** Each database starts from the packed one, as the engine's do (initdb would cost seconds a test). */
const refuseInitdb: EmitEvent = (event) => {
  throw new Error(`The packed database was not used (${event.type}): run npm install.`);
};
const packed = async () => new Blob([await readFile(PACKED_DATABASE)]);

const open: PGliteInterface[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('memory:// files', () => {
  it('grow by doubling, in the database and in its clones, where Emscripten would add 12.5%', async () => {
    const [stock, tuned] = await Promise.all([PGlite.create('memory://', { loadDataDir: await packed() }), openPGlite('memory://', { emit: refuseInitdb })]);
    open.push(stock, tuned);
    const clone = await tuned.clone();
    open.push(clone);

    const used = 2 * 2 ** 20 + 8192;
    expect(capacityAfterAppend(stock)).toBeLessThan(used * 1.2);
    expect(capacityAfterAppend(tuned)).toBe(4 * 2 ** 20);
    expect(capacityAfterAppend(clone)).toBe(4 * 2 ** 20);
  });

  it('skip zero-filling new WAL segments where the files are in memory, and only there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kalphite-files-'));
    dirs.push(dir);
    const [memory, folder] = await Promise.all([openPGlite('memory://', { emit: refuseInitdb }), openPGlite(dir, { emit: refuseInitdb })]);
    open.push(memory, folder);
    expect([filesInMemory(memory), filesInMemory(folder)]).toEqual([true, false]);

    await openLocalDb(memory);
    await openLocalDb(folder);
    expect(await showWalInitZero(memory)).toBe('off');
    expect(await showWalInitZero(folder)).toBe('on');
  });
});
