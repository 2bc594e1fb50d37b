import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGliteInterface } from "@electric-sql/pglite";
import { afterEach, describe, expect, it } from 'vitest';
import type { Entity } from '../store/entity.js';
import type { KalphiteEvent } from '../events.js';
import { LocalDb, type FlushOp } from './local-db.js';
import { LATEST_SCHEMA_VERSION, migrations } from './migrations.js';
import { freshPGlite } from '../../test-support/pglite.js';

const note = (id: string, text: string): Entity => ({ id, type: 'note', data: { text }, updatedAt: 7, space: 'default' });
const upsert = (entity: Entity): FlushOp => ({ id: entity.id, type: entity.type, entity, before: null });
const del = (id: string): FlushOp => ({ id, type: 'note', entity: null, before: null });

let ids = 0;
async function openDb(pglite?: PGliteInterface) {
  const events: KalphiteEvent[] = [];
  const db = await LocalDb.open({
    pglite: pglite ?? (await freshPGlite()),
    randomId: () => `client-${++ids}`,
    now: () => 1000,
    emit: (event) => events.push({ ...event, at: 0 } as KalphiteEvent),
  });
  return { db, events };
}

/** The server acknowledged these mutation ids: what a pull with nothing else in it does. */
const acknowledge = (db: LocalDb, upTo: Record<string, number>) =>
  db.applyPull({ acknowledgeUpTo: upTo, writes: new Map(), keep: null, cookie: undefined, pendingInMemory: () => false });

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('schema and migrations', () => {
  it('migrates a fresh database to the latest version and creates a client id', async () => {
    const { db, events } = await openDb();
    expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(db.clientId).toMatch(/^client-/);
    expect(events.filter((e) => e.type === 'db:migrated').map((e) => (e.type === 'db:migrated' ? [e.from, e.to] : []))).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    expect(db.clientGroupId).toMatch(/^client-/);
    expect(db.clientGroupId).not.toBe(db.clientId);
    expect(db.outboxLength).toBe(0);
    expect(db.lastMutationId).toBe(0);
  });

  it('keeps the client group and migrates nothing on reopen; each opening is a new client', async () => {
    const pglite = await freshPGlite();
    const first = await openDb(pglite);
    const second = await openDb(pglite);
    expect(second.db.clientGroupId).toBe(first.db.clientGroupId);
    expect(second.db.clientId).not.toBe(first.db.clientId);
    expect(second.events.filter((e) => e.type === 'db:migrated')).toEqual([]);
  });

  it('upgrades a version 1 database in place: its client id becomes the group, its outbox stays that client\'s', async () => {
    const pglite = await freshPGlite();
    await pglite.exec(migrations[0]!.sql);
    await pglite.query(`INSERT INTO client_state (client_id, schema_version, last_mutation_id) VALUES ('old-client', 1, 1)`);
    await pglite.query(`INSERT INTO entities VALUES ('a', 'note', $1)`, [JSON.stringify(note('a', 'v1'))]);
    await pglite.query(`INSERT INTO client_changes (id, entity_id, entity_type, op, data, created_at) VALUES (1, 'a', 'note', 'upsert', $1, 5)`, [JSON.stringify(note('a', 'v1'))]);
    const { db, events } = await openDb(pglite);
    expect(events.filter((e) => e.type === 'db:migrated').map((e) => (e.type === 'db:migrated' ? [e.from, e.to] : []))).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    expect(db.clientGroupId).toBe('old-client');
    expect(await db.loadEntities()).toEqual([note('a', 'v1')]);
    expect(await db.changeLog(10)).toEqual([
      { clientId: 'old-client', mutationId: 1, entityId: 'a', entityType: 'note', op: 'upsert', entity: note('a', 'v1'), before: null, createdAt: 5, acknowledged: false },
    ]);
    expect(await db.writeBatch([upsert(note('b', 'v2'))])).toBe(1);
    // Pushed in the order written: the old client's row, then the new one's.
    expect((await db.unsyncedChanges()).map((e) => [e.clientId, e.mutationId])).toEqual([
      ['old-client', 1],
      [db.clientId, 1],
    ]);
  });

  it('refuses a database written by a newer Kalphite', async () => {
    const pglite = await freshPGlite();
    await openDb(pglite);
    await pglite.query('UPDATE client_state SET schema_version = 999');
    await expect(openDb(pglite)).rejects.toMatchObject({ code: 'migration-failed', message: expect.stringContaining('newer') });
  });
});

describe('writeBatch', () => {
  it('writes entities and one outbox row per op, with sequential mutation ids', async () => {
    const { db } = await openDb();
    expect(await db.writeBatch([upsert(note('a', '1')), upsert(note('b', '1'))])).toBe(2);
    expect(await db.writeBatch([upsert(note('a', '2')), del('b')])).toBe(4);
    expect(await db.loadEntities()).toEqual([note('a', '2')]);
    const outbox = await db.unsyncedChanges();
    expect(outbox.map((e) => [e.mutationId, e.entityId, e.op])).toEqual([
      [1, 'a', 'upsert'],
      [2, 'b', 'upsert'],
      [3, 'a', 'upsert'],
      [4, 'b', 'delete'],
    ]);
    expect(outbox[2]).toEqual({ clientId: db.clientId, mutationId: 3, entityId: 'a', entityType: 'note', op: 'upsert', entity: note('a', '2'), createdAt: 1000 });
    expect(outbox[3]?.entity).toBeNull();
    expect(db.outboxLength).toBe(4);
  });

  it('is one statement per batch, whatever its size', async () => {
    const pglite = await freshPGlite();
    const { db } = await openDb(pglite);
    let queries = 0;
    const query = pglite.query.bind(pglite);
    pglite.query = ((...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    }) as typeof pglite.query;
    const ops = Array.from({ length: 500 }, (_, i) => upsert(note(`n${i}`, 'x')));
    await db.writeBatch(ops);
    expect(queries).toBe(1);
    expect((await db.loadEntities()).length).toBe(500);
  });

  it('a failed batch changes nothing and consumes no mutation ids', async () => {
    const { db } = await openDb();
    await db.writeBatch([upsert(note('a', '1'))]);
    // The same id twice in one upsert is refused by PostgreSQL: the whole statement rolls back.
    await expect(db.writeBatch([upsert(note('b', '1')), upsert(note('b', '2'))])).rejects.toThrow();
    expect(await db.loadEntities()).toEqual([note('a', '1')]);
    expect(await db.writeBatch([upsert(note('c', '1'))])).toBe(2);
    expect((await db.unsyncedChanges()).map((e) => e.mutationId)).toEqual([1, 2]);
  });

  it('restores strings, unicode, nesting and numbers exactly', async () => {
    const { db } = await openDb();
    const odd: Entity = { id: 'odd "quote\' \\', type: 'weird type', data: { s: 'héllo 👋 \u0000x'.replace('\u0000', ''), n: 1.5e-7, big: 2 ** 52, list: [null, true, { deep: [] }] } };
    await db.writeBatch([upsert(odd)]);
    expect(await db.loadEntities()).toEqual([odd]);
  });

  it('keeps ids and types that hold tabs, newlines, a leading quote or a surrogate pair', async () => {
    const { db } = await openDb();
    const odd = ['tab\there', 'line\nbreak', '"quoted"', 'back\\slash\\t', 'wave 👋', 'plain'].map(
      (id, i): Entity => ({ id, type: i % 2 ? 'ty\tpe' : '"kind', data: { i } }),
    );
    await db.writeBatch(odd.map(upsert));
    expect(await db.loadEntities()).toEqual(odd);
    await db.writeBatch(odd.slice(0, 3).map((e) => ({ id: e.id, type: e.type, entity: null, before: e })));
    expect(await db.loadEntities()).toEqual(odd.slice(3));
    const outbox = await db.unsyncedChanges();
    expect(outbox.map((e) => [e.entityId, e.entityType, e.op])).toEqual([
      ...odd.map((e) => [e.id, e.type, 'upsert']),
      ...odd.slice(0, 3).map((e) => [e.id, e.type, 'delete']),
    ]);
  });
});

describe('outbox', () => {
  it('acknowledges up to a mutation id and compacts acknowledged rows', async () => {
    const { db, events } = await openDb();
    await db.writeBatch(['a', 'b', 'c', 'd'].map((id) => upsert(note(id, 'x'))));
    await acknowledge(db, { [db.clientId]: 2 });
    expect(db.outboxLength).toBe(2);
    expect((await db.unsyncedChanges()).map((e) => e.mutationId)).toEqual([3, 4]);
    expect(await db.compact()).toBe(2);
    expect(await db.compact()).toBe(0);
    expect((await db.unsyncedChanges(1)).map((e) => e.mutationId)).toEqual([3]);
    expect(events.filter((e) => e.type === 'outbox:acknowledged')).toMatchObject([{ upTo: 2, remaining: 2 }]);
    // Ids keep counting after compaction.
    expect(await db.writeBatch([upsert(note('e', 'x'))])).toBe(5);
  });
});

describe('many clients (tabs) in one group', () => {
  it('each client numbers its own mutations; a re-sent batch is written once; rows keep their write order', async () => {
    const { db } = await openDb();
    expect(await db.writeBatch([upsert(note('a', 'own'))])).toBe(1);
    expect(await db.writeBatch([upsert(note('b', 'tab 1'))], { clientId: 'tab-b', batch: 1 })).toBe(1);
    expect(await db.writeBatch([upsert(note('c', 'tab 2')), upsert(note('b', 'tab 2'))], { clientId: 'tab-b', batch: 2 })).toBe(3);
    // The leader crashed before answering: the tab sends batch 1 again to the next leader.
    expect(await db.writeBatch([upsert(note('b', 'tab 1'))], { clientId: 'tab-b', batch: 1 })).toBeNull();
    expect(await db.writeBatch([upsert(note('d', 'own'))])).toBe(2);
    expect((await db.loadEntities()).find((e) => e.id === 'b')).toEqual(note('b', 'tab 2'));
    expect((await db.unsyncedChanges()).map((e) => [e.clientId, e.mutationId, e.entityId])).toEqual([
      [db.clientId, 1, 'a'],
      ['tab-b', 1, 'b'],
      ['tab-b', 2, 'c'],
      ['tab-b', 3, 'b'],
      [db.clientId, 2, 'd'],
    ]);
    expect(db.outboxLength).toBe(5);
    await acknowledge(db, { 'tab-b': 2, [db.clientId]: 1 });
    expect((await db.unsyncedChanges()).map((e) => [e.clientId, e.mutationId])).toEqual([
      ['tab-b', 3],
      [db.clientId, 2],
    ]);
  });

  it('a large batch keeps its order in the outbox, and the next batch follows it', async () => {
    const { db } = await openDb();
    // Ids in descending order, so an order by id or by hash would show.
    const ids = Array.from({ length: 3000 }, (_, i) => `n-${String(3000 - i).padStart(4, '0')}`);
    expect(await db.writeBatch(ids.map((id) => upsert(note(id, id))))).toBe(3000);
    expect(await db.writeBatch([upsert(note('last', 'after'))], { clientId: 'tab-b', batch: 1 })).toBe(1);
    const outbox = await db.unsyncedChanges(5000);
    expect(outbox.map((e) => e.entityId)).toEqual([...ids, 'last']);
    expect(outbox.slice(0, 3000).map((e) => e.mutationId)).toEqual(ids.map((_, i) => i + 1));
  });
});

describe('change log', () => {
  it('lists changes newest first with the value each replaced and whether the server has it', async () => {
    const { db } = await openDb();
    await db.writeBatch([upsert(note('a', '1'))]);
    await db.writeBatch([{ ...upsert(note('a', '2')), before: note('a', '1') }, { ...del('b'), before: note('b', 'old') }]);
    await acknowledge(db, { [db.clientId]: 1 });
    const log = await db.changeLog(10);
    expect(log.map((e) => [e.mutationId, e.entityId, e.op, e.before, e.entity, e.acknowledged])).toEqual([
      [3, 'b', 'delete', note('b', 'old'), null, false],
      [2, 'a', 'upsert', note('a', '1'), note('a', '2'), false],
      [1, 'a', 'upsert', null, note('a', '1'), true],
    ]);
    expect(await db.changeLog(1)).toHaveLength(1);
  });
});

describe('reset', () => {
  it('empties entities, outbox and cookie under a new client id whose mutation ids start at 1', async () => {
    const { db } = await openDb();
    await db.writeBatch([upsert(note('a', '1')), upsert(note('b', '1'))]);
    await db.applyPull({ acknowledgeUpTo: null, writes: new Map(), keep: null, cookie: 7, pendingInMemory: () => false });
    const before = db.clientId;
    await db.reset('fresh-group', 'fresh-client');
    expect([db.clientGroupId, db.clientId, db.cookie, db.outboxLength, db.lastMutationId]).toEqual(['fresh-group', 'fresh-client', null, 0, 0]);
    expect(db.clientId).not.toBe(before);
    expect(await db.loadEntities()).toEqual([]);
    expect(await db.changeLog(10)).toEqual([]);
    expect(await db.writeBatch([upsert(note('c', '1'))])).toBe(1);
  });
});

describe('a folder dataDir', () => {
  it('persists entities, outbox and client group across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kalphite-localdb-'));
    dirs.push(dir);
    const options = { dataDir: dir, randomId: () => 'folder-client', now: () => 5, emit: () => {} };
    const first = await LocalDb.open(options);
    await first.writeBatch([upsert(note('a', '1')), upsert(note('b', '1'))]);
    await first.writeBatch([del('b')]);
    await first.close();
    const second = await LocalDb.open({ ...options, randomId: () => 'other' });
    expect(second.clientGroupId).toBe('folder-client');
    expect(second.clientId).toBe('other');
    expect(await second.loadEntities()).toEqual([note('a', '1')]);
    expect(second.outboxLength).toBe(3);
    expect(second.lastMutationId).toBe(0);
    await second.close();
  });
});
