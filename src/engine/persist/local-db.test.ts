import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGliteInterface } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entity } from '../store/entity.js';
import type { KalphiteEvent } from '../events.js';
import { LocalDb, type FlushOp } from './local-db.js';
import { LATEST_SCHEMA_VERSION, migrations } from './migrations.js';
import { freshPGlite } from '../../test-support/pglite.js';

const note = (id: string, text: string, space = 'default'): Entity => ({ id, type: 'note', data: { text }, updatedAt: 7, space });
const upsert = (entity: Entity): FlushOp => ({ id: entity.id, type: entity.type, entity, before: null });
const del = (id: string): FlushOp => ({ id, type: 'note', entity: null, before: null });
/** A delete in `space`: a delete's space is the value it removes. */
const delIn = (id: string, space: string): FlushOp => ({ id, type: 'note', entity: null, before: note(id, 'gone', space) });

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

/** The server acknowledged these mutation ids in `space`: what a pull with nothing else in it does. */
const acknowledge = (db: LocalDb, upTo: Record<string, number>, space = 'default') =>
  db.applyPull({ space, acknowledgeUpTo: upTo, writes: new Map(), keep: null, cookie: undefined, pendingInMemory: () => false });

/** A pull of `space` that brings server values and a cookie. */
const pulled = (db: LocalDb, space: string, writes: Array<[string, Entity | undefined]>, cookie: number) =>
  db.applyPull({ space, acknowledgeUpTo: null, writes: new Map(writes), keep: null, cookie, pendingInMemory: () => false });

/** The entities of these spaces, by space and id (the local db promises no order). */
async function loaded(db: LocalDb, spaces: string[]): Promise<Entity[]> {
  const key = (e: Entity) => `${e.space}\u0000${e.id}`;
  return (await db.loadEntities(spaces)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
const sortedById = (entities: Entity[]) => [...entities].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

const migratedSteps = (events: KalphiteEvent[]) => events.flatMap((e) => (e.type === 'db:migrated' ? [[e.from, e.to]] : []));
const steps = (from: number) => Array.from({ length: LATEST_SCHEMA_VERSION - from }, (_, i) => [from + i, from + i + 1]);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('schema and migrations', () => {
  it('migrates a fresh database to the latest version; the profile is the default space\'s client group', async () => {
    const { db, events } = await openDb();
    expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBe(8);
    expect(db.clientId).toMatch(/^client-/);
    expect(migratedSteps(events)).toEqual(steps(0));
    expect(db.profileId).toMatch(/^client-/);
    expect(db.profileId).not.toBe(db.clientId);
    expect(db.outboxLength).toBe(0);
    // No space until one is used: a database that never opened the default space does not list it.
    expect([...db.spaces.values()]).toEqual([]);
    await db.ensureSpace('default');
    expect([...db.spaces.values()]).toEqual([{ space: 'default', clientGroupId: db.profileId, cookie: null, writable: null, generation: 0 }]);
  });

  it('opens a new database from the packed one at the latest version, migrating nothing, with a profile of its own', async () => {
    const opened = await Promise.all([0, 1].map(async () => {
      const events: KalphiteEvent[] = [];
      const db = await LocalDb.open({ dataDir: 'memory://', randomId: () => `client-${++ids}`, now: () => 1000, emit: (event) => events.push({ ...event, at: 0 } as KalphiteEvent) });
      return { db, events };
    }));
    try {
      for (const { db, events } of opened) {
        expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
        expect(migratedSteps(events)).toEqual([]);
        expect(db.profileId).toMatch(/^client-/);
        expect(db.profileId).not.toBe(db.clientId);
        await db.ensureSpace('default');
        expect(db.spaces.get('default')?.clientGroupId).toBe(db.profileId);
      }
      expect(opened[0]!.db.profileId).not.toBe(opened[1]!.db.profileId);
    } finally {
      await Promise.all(opened.map(({ db }) => db.close()));
    }
  });

  it('keeps the profile and migrates nothing on reopen; each opening is a new client', async () => {
    const pglite = await freshPGlite();
    const first = await openDb(pglite);
    const second = await openDb(pglite);
    expect(second.db.profileId).toBe(first.db.profileId);
    expect(second.db.clientId).not.toBe(first.db.clientId);
    expect(second.events.filter((e) => e.type === 'db:migrated')).toEqual([]);
  });

  it('upgrades a version 1 database in place: its client id becomes the profile, its outbox stays that client\'s', async () => {
    const pglite = await freshPGlite();
    const v1 = { id: 'a', type: 'note', data: { text: 'v1' }, updatedAt: 7 };
    await pglite.exec(migrations[0]!.sql);
    await pglite.query(`INSERT INTO client_state (client_id, schema_version, last_mutation_id) VALUES ('old-client', 1, 1)`);
    await pglite.query(`INSERT INTO entities VALUES ('a', 'note', $1)`, [JSON.stringify(v1)]);
    await pglite.query(`INSERT INTO client_changes (id, entity_id, entity_type, op, data, created_at) VALUES (1, 'a', 'note', 'upsert', $1, 5)`, [JSON.stringify(v1)]);
    const { db, events } = await openDb(pglite);
    expect(migratedSteps(events)).toEqual(steps(1));
    expect(db.profileId).toBe('old-client');
    expect(db.spaces.get('default')?.clientGroupId).toBe('old-client');
    expect(await db.loadEntities(['default'])).toEqual([note('a', 'v1')]);
    expect(await db.changeLog(10)).toEqual([
      { space: 'default', clientId: 'old-client', mutationId: 1, entityId: 'a', entityType: 'note', op: 'upsert', entity: note('a', 'v1'), before: null, fields: null, createdAt: 5, acknowledged: false, refusal: null },
    ]);
    expect(await db.writeBatch([upsert(note('b', 'v2'))])).toEqual([1]);
    // Pushed in the order written: the old client's row, then the new one's.
    expect((await db.unsyncedChanges()).map((e) => [e.clientId, e.mutationId])).toEqual([
      ['old-client', 1],
      [db.clientId, 1],
    ]);
  });

  it('upgrades a version 5 database into the default space: entities, outbox, cookie and mutation ids kept, the old client group the default space\'s', async () => {
    const pglite = await freshPGlite();
    for (const migration of migrations.filter((m) => m.version <= 5)) await pglite.exec(migration.sql);
    // Rows as version 5 wrote them: values without a space, one cookie and one client group for the database.
    const v5 = (id: string, text: string) => ({ id, type: 'note', data: { text }, updatedAt: 7 });
    await pglite.query(`INSERT INTO client_state (client_group_id, cookie, schema_version) VALUES ('old-group', '42', 5)`);
    await pglite.query(`INSERT INTO local_clients (client_id, last_mutation_id, last_batch) VALUES ('old-tab', 2, 2)`);
    await pglite.query(`INSERT INTO entities (id, type, value) VALUES ('a', 'note', $1), ('b', 'note', $2)`, [JSON.stringify(v5('a', 'server')), JSON.stringify(v5('b', 'mine'))]);
    await pglite.query(
      `INSERT INTO client_changes (client_id, id, entity_id, entity_type, op, data, before, created_at, acknowledged)
       VALUES ('old-tab', 1, 'a', 'note', 'upsert', $1, NULL, 5, true), ('old-tab', 2, 'b', 'note', 'upsert', $2, $3, 6, false)`,
      [JSON.stringify(v5('a', 'server')), JSON.stringify(v5('b', 'mine')), JSON.stringify(v5('b', 'before'))],
    );
    const { db, events } = await openDb(pglite);
    expect(migratedSteps(events)).toEqual(steps(5));
    expect(db.profileId).toBe('old-group');
    // The server knows the old group: it stays the default space's, with its cookie, so the old outbox is still acknowledged.
    expect([...db.spaces.values()]).toEqual([{ space: 'default', clientGroupId: 'old-group', cookie: 42, writable: null, generation: 0 }]);
    expect(await loaded(db, ['default'])).toEqual([note('a', 'server'), note('b', 'mine')]);
    expect(db.outboxLength).toBe(1);
    expect(db.unacknowledgedIn('default')).toBe(1);
    expect(await db.changeLog(10)).toEqual([
      { space: 'default', clientId: 'old-tab', mutationId: 2, entityId: 'b', entityType: 'note', op: 'upsert', entity: note('b', 'mine'), before: note('b', 'before'), fields: null, createdAt: 6, acknowledged: false, refusal: null },
      { space: 'default', clientId: 'old-tab', mutationId: 1, entityId: 'a', entityType: 'note', op: 'upsert', entity: note('a', 'server'), before: null, fields: null, createdAt: 5, acknowledged: true, refusal: null },
    ]);
    // The old tab's mutation ids go on from where they were (a repeat would be skipped by the server as done),
    // and a batch it had written is still recognised as written.
    expect(await db.writeBatch([upsert(note('c', 'next'))], { clientId: 'old-tab', batch: 3 })).toEqual([3]);
    expect(await db.writeBatch([upsert(note('c', 'again'))], { clientId: 'old-tab', batch: 2 })).toBeNull();
    await acknowledge(db, { 'old-tab': 2 });
    expect((await db.unsyncedChanges()).map((e) => [e.space, e.clientId, e.mutationId, e.entityId])).toEqual([['default', 'old-tab', 3, 'c']]);
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
    expect(await db.writeBatch([upsert(note('a', '1')), upsert(note('b', '1'))])).toEqual([1, 2]);
    expect(await db.writeBatch([upsert(note('a', '2')), del('b')])).toEqual([3, 4]);
    expect(await db.loadEntities(['default'])).toEqual([note('a', '2')]);
    const outbox = await db.unsyncedChanges();
    expect(outbox.map((e) => [e.mutationId, e.entityId, e.op])).toEqual([
      [1, 'a', 'upsert'],
      [2, 'b', 'upsert'],
      [3, 'a', 'upsert'],
      [4, 'b', 'delete'],
    ]);
    expect(outbox[2]).toEqual({ space: 'default', clientId: db.clientId, mutationId: 3, entityId: 'a', entityType: 'note', op: 'upsert', entity: note('a', '2'), fields: null, before: null, createdAt: 1000 });
    expect(outbox[3]?.entity).toBeNull();
    expect(db.outboxLength).toBe(4);
  });

  it('is one statement per batch, whatever its size (once its space is known)', async () => {
    const pglite = await freshPGlite();
    const { db } = await openDb(pglite);
    await db.ensureSpace('default');
    let queries = 0;
    const query = pglite.query.bind(pglite);
    pglite.query = ((...args: Parameters<typeof query>) => {
      queries++;
      return query(...args);
    }) as typeof pglite.query;
    const ops = Array.from({ length: 500 }, (_, i) => upsert(note(`n${i}`, 'x')));
    await db.writeBatch(ops);
    expect(queries).toBe(1);
    expect((await db.loadEntities(['default'])).length).toBe(500);
  });

  it('a failed batch changes nothing and consumes no mutation ids', async () => {
    const { db } = await openDb();
    await db.writeBatch([upsert(note('a', '1'))]);
    // The same id twice in one upsert is refused by PostgreSQL: the whole statement rolls back.
    await expect(db.writeBatch([upsert(note('b', '1')), upsert(note('b', '2'))])).rejects.toThrow();
    expect(await db.loadEntities(['default'])).toEqual([note('a', '1')]);
    expect(db.outboxLength).toBe(1);
    expect(await db.writeBatch([upsert(note('c', '1'))])).toEqual([2]);
    expect((await db.unsyncedChanges()).map((e) => e.mutationId)).toEqual([1, 2]);
  });

  it('restores strings, unicode, nesting and numbers exactly', async () => {
    const { db } = await openDb();
    const odd: Entity = { id: 'odd "quote\' \\', type: 'weird type', data: { s: 'héllo 👋 \u0000x'.replace('\u0000', ''), n: 1.5e-7, big: 2 ** 52, list: [null, true, { deep: [] }] }, space: 'default' };
    await db.writeBatch([upsert(odd)]);
    expect(await db.loadEntities(['default'])).toEqual([odd]);
  });

  it('keeps ids, types and spaces that hold tabs, newlines, a leading quote or a surrogate pair', async () => {
    const { db } = await openDb();
    const odd = ['tab\there', 'line\nbreak', '"quoted"', 'back\\slash\\t', 'wave 👋', 'plain'].map(
      (id, i): Entity => ({ id, type: i % 2 ? 'ty\tpe' : '"kind', data: { i }, space: 'default' }),
    );
    await db.writeBatch(odd.map(upsert));
    expect(await loaded(db, ['default'])).toEqual(sortedById(odd));
    await db.writeBatch(odd.slice(0, 3).map((e) => ({ id: e.id, type: e.type, entity: null, before: e })));
    expect(await loaded(db, ['default'])).toEqual(sortedById(odd.slice(3)));
    const outbox = await db.unsyncedChanges();
    expect(outbox.map((e) => [e.entityId, e.entityType, e.op])).toEqual([
      ...odd.map((e) => [e.id, e.type, 'upsert']),
      ...odd.slice(0, 3).map((e) => [e.id, e.type, 'delete']),
    ]);
  });
});

describe('loadEntities', () => {
  it('loads over several pages every entity of the spaces asked exactly once, ids that sort oddly included', async () => {
    const { db } = await openDb();
    const odd = ['', ' ', 'A', 'a', 'B', 'b', 'é', 'e', 'E\u0301', 'z', '10', '9', '-1', 'a\tb', '"quoted', '\\', '🙂', 'ß', 'ss', 'a b', 'ü', 'a'.repeat(300)];
    const wanted = [...odd.map((id) => note(id, 'v')), ...odd.map((id) => note(id, 'r', 'review:1'))];
    await db.writeBatch([...wanted.map(upsert), upsert(note('x', 'elsewhere', 'other'))]);
    const key = (e: Entity) => JSON.stringify([e.space, e.id]);
    const keys = (entities: Entity[]) => entities.map(key).sort();
    for (const pageRows of [1, 3, odd.length, 1000]) {
      const paged = await db.loadEntities(['default', 'review:1'], { pageRows });
      expect(keys(paged)).toEqual(keys(wanted));
      expect(new Map(paged.map((e) => [key(e), e]))).toEqual(new Map(wanted.map((e) => [key(e), e])));
    }
    expect(keys(await db.loadEntities(['review:1'], { pageRows: 4 }))).toEqual(keys(wanted.filter((e) => e.space === 'review:1')));
    expect(await db.loadEntities(['nowhere'], { pageRows: 4 })).toEqual([]);
  });
});

describe('spaces', () => {
  it('numbers mutation ids per space: a batch spanning two spaces gets ids from 1 in each, in write order', async () => {
    const { db } = await openDb();
    expect(
      await db.writeBatch([upsert(note('a', '1')), upsert(note('r1', '1', 'review:1')), upsert(note('b', '1')), delIn('r0', 'review:1'), upsert(note('r2', '1', 'review:1'))]),
    ).toEqual([1, 1, 2, 2, 3]);
    expect(await db.writeBatch([upsert(note('r3', '1', 'review:1')), upsert(note('c', '1'))])).toEqual([4, 3]);
    // A new space has a client group of its own; the default space's is the profile.
    const review = db.spaces.get('review:1');
    expect(review).toEqual({ space: 'review:1', clientGroupId: expect.any(String), cookie: null, writable: null, generation: 0 });
    expect(review?.clientGroupId).not.toBe(db.profileId);
    expect(db.spaces.get('default')?.clientGroupId).toBe(db.profileId);
    expect([db.unacknowledgedIn('default'), db.unacknowledgedIn('review:1'), db.unacknowledgedIn('elsewhere'), db.outboxLength]).toEqual([3, 4, 0, 7]);
    // The outbox keeps the write order across spaces (pushes take the oldest row's space).
    expect((await db.unsyncedChanges()).map((e) => [e.space, e.mutationId, e.entityId, e.op])).toEqual([
      ['default', 1, 'a', 'upsert'],
      ['review:1', 1, 'r1', 'upsert'],
      ['default', 2, 'b', 'upsert'],
      ['review:1', 2, 'r0', 'delete'],
      ['review:1', 3, 'r2', 'upsert'],
      ['review:1', 4, 'r3', 'upsert'],
      ['default', 3, 'c', 'upsert'],
    ]);
    expect(await loaded(db, ['review:1'])).toEqual([note('r1', '1', 'review:1'), note('r2', '1', 'review:1'), note('r3', '1', 'review:1')]);
    expect((await db.loadEntities(['default', 'review:1'])).length).toBe(6);
    expect(await db.loadEntities([])).toEqual([]);
  });

  it('the space and its client group persist, and a reopened client numbers on in each space', async () => {
    const pglite = await freshPGlite();
    const first = await openDb(pglite);
    await first.db.writeBatch([upsert(note('r', '1', 'review:1'))]);
    await pulled(first.db, 'review:1', [], 9);
    const group = first.db.spaces.get('review:1')?.clientGroupId;
    const second = await LocalDb.open({ pglite, clientId: first.db.clientId, randomId: () => 'unused', now: () => 1, emit: () => {} });
    expect(second.spaces.get('review:1')).toEqual({ space: 'review:1', clientGroupId: group, cookie: 9, writable: null, generation: 0 });
    expect(second.unacknowledgedIn('review:1')).toBe(1);
    expect(await second.writeBatch([upsert(note('r', '2', 'review:1')), upsert(note('d', '1'))])).toEqual([2, 1]);
  });

  it('a pull touches one space: acknowledging there leaves the other space\'s rows, however their ids compare', async () => {
    const { db, events } = await openDb();
    await db.writeBatch([upsert(note('a', '1')), upsert(note('b', '1')), upsert(note('r', '1', 'review:1')), upsert(note('s', '1', 'review:1'))]);
    await db.ensureSpace('review:2');
    await pulled(db, 'review:2', [], 3);
    await acknowledge(db, { [db.clientId]: 2 }, 'review:1');
    expect((await db.unsyncedChanges()).map((e) => [e.space, e.mutationId])).toEqual([
      ['default', 1],
      ['default', 2],
    ]);
    expect([db.unacknowledgedIn('default'), db.unacknowledgedIn('review:1'), db.outboxLength]).toEqual([2, 0, 2]);
    expect(events.filter((e) => e.type === 'outbox:acknowledged')).toMatchObject([{ space: 'review:1', upTo: 2, remaining: 2 }]);
    // Each space's cookie is its own.
    expect([db.spaces.get('default')?.cookie, db.spaces.get('review:1')?.cookie, db.spaces.get('review:2')?.cookie]).toEqual([null, null, 3]);
    await db.applyPull({ space: 'review:1', acknowledgeUpTo: null, writes: new Map(), keep: null, cookie: 5, pendingInMemory: () => false, writable: false });
    expect(db.spaces.get('review:1')).toMatchObject({ cookie: 5, writable: false });
    expect(db.spaces.get('default')).toMatchObject({ cookie: null, writable: null });
  });

  it('a pull with keep (after a clear) removes only that space\'s entities, and pending ones stay', async () => {
    const { db } = await openDb();
    await pulled(db, 'default', [['a', note('a', 'srv')]], 1);
    await db.ensureSpace('review:1');
    await pulled(db, 'review:1', [['x', note('x', 'srv', 'review:1')], ['y', note('y', 'srv', 'review:1')]], 1);
    await db.writeBatch([upsert(note('y', 'mine', 'review:1'))]);
    const result = await db.applyPull({ space: 'review:1', acknowledgeUpTo: null, writes: new Map(), keep: new Set(), cookie: 2, pendingInMemory: () => false });
    expect([...result.applied]).toEqual([['x', undefined]]);
    expect([...result.skipped]).toEqual([['y', undefined]]);
    expect(await loaded(db, ['default', 'review:1'])).toEqual([note('a', 'srv'), note('y', 'mine', 'review:1')]);
  });

  it('the same id in two spaces is two rows: a write or a delete in one leaves the other', async () => {
    const { db } = await openDb();
    await db.writeBatch([upsert(note('x', 'mine'))]);
    // An entity the server sends under an id memory holds in another space is kept aside here.
    await db.ensureSpace('review:1');
    await pulled(db, 'review:1', [['x', note('x', 'theirs', 'review:1')]], 4);
    expect(await db.loadEntities(['default'])).toEqual([note('x', 'mine')]);
    expect(await db.loadEntities(['review:1'])).toEqual([note('x', 'theirs', 'review:1')]);
    await db.writeBatch([upsert(note('x', 'mine 2'))]);
    expect(await db.loadEntities(['review:1'])).toEqual([note('x', 'theirs', 'review:1')]);
    await db.writeBatch([delIn('x', 'review:1')]);
    expect(await db.loadEntities(['default', 'review:1'])).toEqual([note('x', 'mine 2')]);
  });

  it('forgetSpace drops the entities and the cookie but keeps the unacknowledged writes and the client group', async () => {
    const { db } = await openDb();
    await db.writeBatch([upsert(note('a', '1')), upsert(note('r', '1', 'review:1'))]);
    await pulled(db, 'review:1', [['s', note('s', 'srv', 'review:1')]], 8);
    const group = db.spaces.get('review:1')?.clientGroupId;
    await db.forgetSpace('review:1');
    expect(await db.loadEntities(['review:1'])).toEqual([]);
    expect(await db.loadEntities(['default'])).toEqual([note('a', '1')]);
    // Opening it again pulls it whole, as the same client group, and its write is still pushed.
    expect(db.spaces.get('review:1')).toEqual({ space: 'review:1', clientGroupId: group, cookie: null, writable: null, generation: 0 });
    expect(db.unacknowledgedIn('review:1')).toBe(1);
    expect((await db.unsyncedChanges()).map((e) => [e.space, e.entityId])).toEqual([
      ['default', 'a'],
      ['review:1', 'r'],
    ]);
    expect(await db.writeBatch([upsert(note('r', '2', 'review:1'))])).toEqual([2]);
  });

  it('a patch keeps its fields; a pull puts them on top of the newer server value, and the server\'s news of an overwrite is reported once', async () => {
    const { db } = await openDb();
    const card = (data: Record<string, unknown>): Entity => ({ id: 'k', type: 'card', data: data as Entity['data'], space: 'default' });
    await db.writeBatch([upsert(card({ title: 't', status: 'open' }))]);
    await acknowledge(db, { [db.clientId]: 1 });
    await db.writeBatch([{ id: 'k', type: 'card', entity: card({ title: 'T', status: 'open' }), before: card({ title: 't', status: 'open' }), fields: ['title'] }]);
    const [row] = await db.unsyncedChanges();
    expect(row).toMatchObject({ op: 'patch', fields: ['title'], before: card({ title: 't', status: 'open' }) });

    const rebased = await db.applyPull({ space: 'default', acknowledgeUpTo: null, writes: new Map([['k', card({ title: 'theirs', status: 'done' })]]), keep: null, cookie: 3, pendingInMemory: () => false });
    expect(rebased.applied.get('k')).toEqual(card({ title: 'T', status: 'done' }));
    expect(await db.loadEntities(['default'])).toEqual([card({ title: 'T', status: 'done' })]);

    const news = { clientId: db.clientId, mutationId: 1, key: 'k', fields: ['status'] };
    const first = await db.applyPull({ space: 'default', acknowledgeUpTo: { [db.clientId]: 2 }, writes: new Map([['k', card({ title: 'T', status: 'done' })]]), keep: null, cookie: 4, pendingInMemory: () => false, overwrittenBy: [news] });
    expect(first.overwritten).toMatchObject([{ id: 'k', reason: 'overwritten', fields: ['status'], mine: card({ title: 't', status: 'open' }), server: card({ title: 'T', status: 'done' }) }]);
    const again = await db.applyPull({ space: 'default', acknowledgeUpTo: null, writes: new Map(), keep: null, cookie: 4, pendingInMemory: () => false, overwrittenBy: [news] });
    expect(again.overwritten).toEqual([]);
  });

  it('dropSpace removes the space\'s data and returns its unacknowledged writes; it goes on as a new client group of the next generation', async () => {
    const pglite = await freshPGlite();
    const { db } = await openDb(pglite);
    await db.writeBatch([upsert(note('a', '1')), upsert(note('r', '1', 'review:1')), upsert(note('s', '1', 'review:1'))]);
    await acknowledge(db, { [db.clientId]: 1 }, 'review:1');
    const group = db.spaces.get('review:1')?.clientGroupId;
    const dropped = await db.dropSpace('review:1');
    expect(dropped).toEqual([{ space: 'review:1', clientId: db.clientId, mutationId: 2, entityId: 's', entityType: 'note', op: 'upsert', entity: note('s', '1', 'review:1'), fields: null, before: null, createdAt: 1000 }]);
    expect(db.spaces.get('review:1')).toEqual({ space: 'review:1', clientGroupId: expect.not.stringMatching(group ?? ''), cookie: null, writable: null, generation: 1 });
    expect([db.unacknowledgedIn('review:1'), db.outboxLength]).toEqual([0, 1]);
    expect(await db.loadEntities(['review:1'])).toEqual([]);
    expect((await db.changeLog(10)).map((e) => [e.space, e.entityId])).toEqual([['default', 'a']]);
    // The default space is untouched.
    expect(await db.loadEntities(['default'])).toEqual([note('a', '1')]);
    // On disk too: a reopened database knows its new group and generation, and numbers from 1 in it.
    const reopened = await openDb(pglite);
    expect(reopened.db.spaces.get('review:1')).toMatchObject({ generation: 1, cookie: null });
    expect(await db.writeBatch([upsert(note('r', 'again', 'review:1'))])).toEqual([1]);
    expect(db.spaces.get('review:1')?.clientGroupId).not.toBe(group);
  });

  it('discards the first unacknowledged rows of one space only, keeping their mutation ids', async () => {
    const { db } = await openDb();
    await db.writeBatch([upsert(note('a', '1')), upsert(note('r', '1', 'review:1')), upsert(note('s', '1', 'review:1'))]);
    expect(await db.discardUnacknowledged('review:1', 1)).toBe(1);
    expect((await db.unsyncedChanges()).map((e) => [e.space, e.mutationId, e.op, e.entity])).toEqual([
      ['default', 1, 'upsert', note('a', '1')],
      ['review:1', 1, 'discard', null],
      ['review:1', 2, 'upsert', note('s', '1', 'review:1')],
    ]);
    expect(db.unacknowledgedIn('review:1')).toBe(2);
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
    expect(events.filter((e) => e.type === 'outbox:acknowledged')).toMatchObject([{ space: 'default', upTo: 2, remaining: 2 }]);
    // Ids keep counting after compaction.
    expect(await db.writeBatch([upsert(note('e', 'x'))])).toEqual([5]);
  });
});

describe('many clients (tabs) in one profile', () => {
  it('each client numbers its own mutations; a re-sent batch is written once; rows keep their write order', async () => {
    const { db } = await openDb();
    expect(await db.writeBatch([upsert(note('a', 'own'))])).toEqual([1]);
    expect(await db.writeBatch([upsert(note('b', 'tab 1'))], { clientId: 'tab-b', batch: 1 })).toEqual([1]);
    expect(await db.writeBatch([upsert(note('c', 'tab 2')), upsert(note('b', 'tab 2'))], { clientId: 'tab-b', batch: 2 })).toEqual([2, 3]);
    // The leader crashed before answering: the tab sends batch 1 again to the next leader.
    expect(await db.writeBatch([upsert(note('b', 'tab 1'))], { clientId: 'tab-b', batch: 1 })).toBeNull();
    expect(await db.writeBatch([upsert(note('d', 'own'))])).toEqual([2]);
    expect((await db.loadEntities(['default'])).find((e) => e.id === 'b')).toEqual(note('b', 'tab 2'));
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

  it('a re-sent batch spanning spaces is written once, in no space', async () => {
    const { db } = await openDb();
    const batch = [upsert(note('a', '1')), upsert(note('r', '1', 'review:1'))];
    expect(await db.writeBatch(batch, { clientId: 'tab-b', batch: 1 })).toEqual([1, 1]);
    expect(await db.writeBatch(batch, { clientId: 'tab-b', batch: 1 })).toBeNull();
    expect([db.unacknowledgedIn('default'), db.unacknowledgedIn('review:1')]).toEqual([1, 1]);
    expect(await db.writeBatch([upsert(note('r', '2', 'review:1'))], { clientId: 'tab-b', batch: 2 })).toEqual([2]);
  });

  it('a large batch keeps its order in the outbox, and the next batch follows it', async () => {
    const { db } = await openDb();
    // Ids in descending order, so an order by id or by hash would show.
    const ids = Array.from({ length: 3000 }, (_, i) => `n-${String(3000 - i).padStart(4, '0')}`);
    expect(await db.writeBatch(ids.map((id) => upsert(note(id, id))))).toEqual(ids.map((_, i) => i + 1));
    expect(await db.writeBatch([upsert(note('last', 'after'))], { clientId: 'tab-b', batch: 1 })).toEqual([1]);
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
  it('empties entities, outbox, spaces and cookies under a new profile and client whose mutation ids start at 1', async () => {
    const { db } = await openDb();
    await db.writeBatch([upsert(note('a', '1')), upsert(note('b', '1')), upsert(note('r', '1', 'review:1'))]);
    await pulled(db, 'default', [], 7);
    const before = db.clientId;
    await db.reset('fresh-profile', 'fresh-client');
    expect([db.profileId, db.clientId, db.outboxLength, db.spaces.size]).toEqual(['fresh-profile', 'fresh-client', 0, 0]);
    expect(db.clientId).not.toBe(before);
    expect(await db.loadEntities(['default', 'review:1'])).toEqual([]);
    expect(await db.changeLog(10)).toEqual([]);
    expect(await db.writeBatch([upsert(note('c', '1')), upsert(note('r', '2', 'review:1'))])).toEqual([1, 1]);
    // The default space comes back under the new profile, with no cookie.
    expect(db.spaces.get('default')).toEqual({ space: 'default', clientGroupId: 'fresh-profile', cookie: null, writable: null, generation: 0 });
  });
});

describe('a folder dataDir', () => {
  it('persists entities, outbox, profile and cookies across reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kalphite-localdb-'));
    dirs.push(dir);
    const options = { dataDir: dir, randomId: () => 'folder-client', now: () => 5, emit: () => {} };
    const first = await LocalDb.open(options);
    await first.writeBatch([upsert(note('a', '1')), upsert(note('b', '1'))]);
    await first.writeBatch([del('b')]);
    await pulled(first, 'default', [], 3);
    await first.close();
    const second = await LocalDb.open({ ...options, randomId: () => 'other' });
    expect(second.profileId).toBe('folder-client');
    expect(second.clientId).toBe('other');
    expect(second.spaces.get('default')?.cookie).toBe(3);
    expect(await second.loadEntities(['default'])).toEqual([note('a', '1')]);
    expect(second.outboxLength).toBe(3);
    expect(await second.writeBatch([upsert(note('c', '1'))])).toEqual([1]);
    await second.close();
  });
});
