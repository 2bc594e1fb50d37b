import { describe, expect, it } from 'vitest';
import { chooseStorage, isBrowserDataDir, type StorageFacts } from './storage-choice.js';

const worker: StorageFacts = { syncAccessHandles: true, onOpfs: false, inIndexedDb: false };
const mainThread: StorageFacts = { syncAccessHandles: false, onOpfs: false, inIndexedDb: false };

describe('chooseStorage', () => {
  it('puts a new idb:// database on OPFS where the thread has sync access handles, and IndexedDB may hold it if OPFS does not open', () => {
    expect(chooseStorage('idb://app', worker)).toMatchObject({ storage: 'opfs', name: 'app', migrate: false, fallBack: true });
  });

  it('moves an idb:// database IndexedDB holds to OPFS', () => {
    expect(chooseStorage('idb://app', { ...worker, inIndexedDb: true })).toMatchObject({ storage: 'opfs', migrate: true, fallBack: true });
  });

  it('stays on IndexedDB where IndexedDB cannot say whether it holds the database (a new OPFS one would hide it)', () => {
    expect(chooseStorage('idb://app', { ...worker, inIndexedDb: null })).toMatchObject({ storage: 'indexeddb', migrate: false });
  });

  it('keeps idb:// on IndexedDB where there are no sync access handles (the main thread, older browsers)', () => {
    expect(chooseStorage('idb://app', { ...mainThread, inIndexedDb: true })).toMatchObject({ storage: 'indexeddb', name: 'app', migrate: false });
  });

  it('opens a database already on OPFS wherever it is asked for, never falling back to an IndexedDB that would hide it', () => {
    for (const facts of [worker, mainThread]) {
      expect(chooseStorage('idb://app', { ...facts, onOpfs: true, inIndexedDb: true })).toMatchObject({ storage: 'opfs', migrate: false, fallBack: false });
    }
  });

  it('keeps idb-only:// in IndexedDB, and opfs:// on OPFS without falling back or migrating', () => {
    expect(chooseStorage('idb-only://app', worker)).toMatchObject({ storage: 'indexeddb', name: 'app', migrate: false });
    expect(chooseStorage('opfs://app', { ...worker, inIndexedDb: true })).toMatchObject({ storage: 'opfs', name: 'app', migrate: false, fallBack: false });
  });

  it('leaves other dataDirs to PGlite as they are', () => {
    for (const dataDir of ['memory://', './data', 'memfs2opfs://app']) expect(chooseStorage(dataDir, worker)).toEqual({ storage: null });
  });
});

describe('isBrowserDataDir', () => {
  it('names the dataDirs one tab at a time may hold (they run in the worker)', () => {
    expect(['idb://a', 'idb-only://a', 'opfs://a', 'memfs2opfs://a', 'opfs-ahp://a'].every(isBrowserDataDir)).toBe(true);
    expect(['memory://', './data', 'file:///tmp/a'].some(isBrowserDataDir)).toBe(false);
  });
});
