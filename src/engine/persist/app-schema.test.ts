import type { PGliteInterface } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { patchOf } from '../../protocol/patch.js';
import { freshPGlite } from '../../test-support/pglite.js';
import type { KalphiteEvent } from '../events.js';
import type { Entity } from '../store/entity.js';
import { EntityValidator } from '../store/schema.js';
import type { AppSchema, Migrate } from './app-schema.js';
import { LocalDb, type FlushOp } from './local-db.js';

// Version 1 of an app: a note has `text`. Version 2 renames it `body` and adds `pinned` (default false).
const v1 = { note: z.object({ text: z.string() }) };
const v2 = { note: z.object({ body: z.string(), pinned: z.boolean().default(false) }) };
const toV2: Migrate = ({ entity, fromVersion }) => {
  const data = entity.data as { text?: string; body?: string };
  return fromVersion < 2 && data.text !== undefined ? { body: data.text } : (entity.data as { body: string });
};

const appSchema = (version: number, schema: object | null, migrate: Migrate | null = null): AppSchema => {
  const validator = schema === null ? null : new EntityValidator(schema, false);
  return { version, migrate, verdict: validator && ((entity) => validator.verdict(entity)) };
};

const note = (id: string, data: object, space = 'default'): Entity => ({ id, type: 'note', data: data as Entity['data'], updatedAt: 7, space });
const upsert = (entity: Entity): FlushOp => ({ id: entity.id, type: entity.type, entity, before: null });

let ids = 0;
async function openOn(pglite: PGliteInterface, app: AppSchema) {
  const events: KalphiteEvent[] = [];
  const db = await LocalDb.open({ pglite, randomId: () => `client-${++ids}`, now: () => 1000, emit: (event) => events.push({ ...event, at: 0 } as KalphiteEvent), appSchema: app });
  await db.ensureSpace('default');
  return { db, events };
}

const pull = (db: LocalDb, writes: Array<[string, Entity | undefined]>, cookie: number, keep: ReadonlySet<string> | null = null) =>
  db.applyPull({ space: 'default', acknowledgeUpTo: null, writes: new Map(writes), keep, cookie, pendingInMemory: () => false });

const byId = (entities: Entity[]) => [...entities].sort((a, b) => (a.id < b.id ? -1 : 1));
const ofType = <T extends KalphiteEvent['type']>(events: KalphiteEvent[], type: T) => events.filter((e): e is Extract<KalphiteEvent, { type: T }> => e.type === type);

describe('a newer schemaVersion at open', () => {
  it('migrates every stored entity and pending outbox value once, before anything loads; a patch pushes its fields in the new shape', async () => {
    const pglite = await freshPGlite();
    const old = (await openOn(pglite, appSchema(1, v1))).db;
    await old.writeBatch([upsert(note('a', { text: 'one' })), upsert(note('b', { text: 'two' }))]);
    // An edit of b not yet acknowledged: a patch of `text`.
    await old.writeBatch([{ id: 'b', type: 'note', entity: note('b', { text: 'TWO' }), before: note('b', { text: 'two' }), fields: ['text'] }]);
    await old.close();

    const calls: string[] = [];
    const counting: Migrate = (input) => {
      calls.push(`${input.entity.id} ${input.fromVersion}→${input.toVersion}`);
      return toV2(input);
    };
    const { db, events } = await openOn(pglite, appSchema(2, v2, counting));
    expect(byId(await db.loadEntities(['default']))).toEqual([note('a', { body: 'one', pinned: false }), note('b', { body: 'TWO', pinned: false })]);
    expect(ofType(events, 'schema:migrated')).toEqual([{ type: 'schema:migrated', at: 0, from: 1, to: 2, entities: 2, outbox: 3 }]);
    // Two entities, and three outbox rows (two creates, one patch with its value before).
    expect(calls.sort()).toEqual(['a 1→2', 'a 1→2', 'b 1→2', 'b 1→2', 'b 1→2', 'b 1→2']);
    const outbox = await db.unsyncedChanges();
    expect(outbox.map((row) => [row.op, row.entity?.data, row.fields])).toEqual([
      ['upsert', { body: 'one', pinned: false }, null],
      ['upsert', { body: 'two', pinned: false }, null],
      ['patch', { body: 'TWO', pinned: false }, ['body']],
    ]);
    // What the push sends for the patch: the renamed field, with the value it started from.
    const patch = outbox[2]!;
    expect(patchOf(patch.entity!, patch.fields!, patch.before)).toMatchObject({ set: { body: 'TWO' }, unset: [], was: { body: 'two' } });
    await db.close();

    // Idempotent: the version is recorded, a second open migrates nothing.
    calls.length = 0;
    const again = await openOn(pglite, appSchema(2, v2, counting));
    expect(calls).toEqual([]);
    expect(ofType(again.events, 'schema:migrated')).toEqual([]);
    await again.db.close();
  });

  it('is one transaction: a migrate that throws fails the open with migration-failed and changes nothing', async () => {
    const pglite = await freshPGlite();
    const old = (await openOn(pglite, appSchema(1, v1))).db;
    await old.writeBatch([upsert(note('a', { text: 'one' })), upsert(note('b', { text: 'two' }))]);
    await old.close();
    const failing: Migrate = (input) => {
      if (input.entity.id === 'b') throw new Error('no b');
      return toV2(input);
    };
    await expect(openOn(pglite, appSchema(2, v2, failing))).rejects.toMatchObject({ code: 'migration-failed', message: expect.stringContaining('no b') });
    const { db } = await openOn(pglite, appSchema(1, v1));
    expect(byId(await db.loadEntities(['default']))).toEqual([note('a', { text: 'one' }), note('b', { text: 'two' })]);
    expect((await db.unsyncedChanges()).map((row) => row.entity?.data)).toEqual([{ text: 'one' }, { text: 'two' }]);
    await db.close();
    // Fixed, it runs from version 1 still.
    const fixed = await openOn(pglite, appSchema(2, v2, toV2));
    expect(ofType(fixed.events, 'schema:migrated')).toMatchObject([{ from: 1, to: 2 }]);
    await fixed.db.close();
  });

  it('a stored entity whose migrated value does not fit is held aside with its issues, not dropped', async () => {
    const pglite = await freshPGlite();
    const old = (await openOn(pglite, appSchema(1, v1))).db;
    await old.writeBatch([upsert(note('a', { text: 'one' })), upsert(note('odd', { text: 7 }))]);
    await old.close();
    const { db, events } = await openOn(pglite, appSchema(2, v2, ({ entity }) => ({ body: (entity.data as { text: unknown }).text }) as never));
    expect(await db.loadEntities(['default'])).toEqual([note('a', { body: 'one', pinned: false })]);
    const held = await db.heldAside();
    expect(held).toMatchObject([{ space: 'default', id: 'odd', type: 'note', value: note('odd', { text: 7 }), schemaVersion: 1, issues: [{ path: 'body' }] }]);
    expect(ofType(events, 'schema:held-aside')).toMatchObject([{ id: 'odd', entityType: 'note', source: 'migration', issues: [{ path: 'body' }] }]);
    await db.close();
  });
});

describe('pulled values that do not fit the schema', () => {
  it('are held aside, not applied: the old value stays, the cookie moves on; a later value that fits supersedes them', async () => {
    const { db } = await openOn(await freshPGlite(), appSchema(1, v1));
    await pull(db, [['a', note('a', { text: 'one' })]], 1);
    // A newer server writes the next shape.
    const result = await pull(db, [['a', note('a', { body: 'new' })], ['b', note('b', { text: 'fits' })]], 2);
    expect([...result.applied.keys()]).toEqual(['b']);
    expect(result.heldAside).toMatchObject([{ id: 'a', value: note('a', { body: 'new' }), schemaVersion: 1, issues: [{ path: 'text' }] }]);
    expect(db.spaces.get('default')?.cookie).toBe(2);
    expect(byId(await db.loadEntities(['default']))).toEqual([note('a', { text: 'one' }), note('b', { text: 'fits' })]);
    expect((await db.heldAside()).map((h) => h.id)).toEqual(['a']);

    const later = await pull(db, [['a', note('a', { text: 'back' })]], 3);
    expect(later.released).toEqual(['a']);
    expect(await db.heldAside()).toEqual([]);
    expect(byId(await db.loadEntities(['default']))[0]).toEqual(note('a', { text: 'back' }));
    await db.close();
  });

  it('a delete or a clear without the id releases one held aside', async () => {
    const { db } = await openOn(await freshPGlite(), appSchema(1, v1));
    await pull(db, [['a', note('a', { body: 'x' })], ['b', note('b', { body: 'y' })]], 1);
    expect((await pull(db, [['a', undefined]], 2)).released).toEqual(['a']);
    expect((await pull(db, [], 3, new Set())).released).toEqual(['b']);
    expect(await db.heldAside()).toEqual([]);
    await db.close();
  });

  it('are applied at a later open whose schema they fit, as they are or through migrate, without a re-pull', async () => {
    const pglite = await freshPGlite();
    const old = (await openOn(pglite, appSchema(1, v1))).db;
    await pull(old, [['a', note('a', { text: 'one' })], ['c', note('c', { text: 'old' })]], 1);
    // The server's newer shape (`body`), and a value only a migration from version 1 makes fit.
    await pull(old, [['a', note('a', { body: 'server' })]], 2);
    expect((await old.heldAside()).map((h) => h.id)).toEqual(['a']);
    await old.close();

    const { db, events } = await openOn(pglite, appSchema(2, v2, toV2));
    expect(byId(await db.loadEntities(['default']))).toEqual([note('a', { body: 'server', pinned: false }), note('c', { body: 'old', pinned: false })]);
    expect(await db.heldAside()).toEqual([]);
    expect(ofType(events, 'schema:released')).toEqual([{ type: 'schema:released', at: 0, space: 'default', id: 'a', reason: 'applied' }]);
    expect(db.spaces.get('default')?.cookie).toBe(2);
    await db.close();
  });

  it('applied later under a pending local patch, keeps the patch on top; under a pending create, waits for the server', async () => {
    const pglite = await freshPGlite();
    const strictV1 = { note: z.object({ text: z.string(), n: z.number() }).strict() };
    const old = (await openOn(pglite, appSchema(1, strictV1))).db;
    await pull(old, [['a', note('a', { text: 'one', n: 1 })]], 1);
    await old.writeBatch([{ id: 'a', type: 'note', entity: note('a', { text: 'mine', n: 1 }), before: note('a', { text: 'one', n: 1 }), fields: ['text'] }]);
    await old.writeBatch([upsert(note('b', { text: 'local', n: 0 }))]);
    await pull(old, [['a', note('a', { text: 'one', n: 2, extra: true })], ['b', note('b', { text: 'server', n: 0, extra: true })]], 2);
    expect((await old.heldAside()).map((h) => h.id)).toEqual(['a', 'b']);
    await old.close();

    const loose = { note: z.object({ text: z.string(), n: z.number() }).passthrough() };
    const { db } = await openOn(pglite, appSchema(1, loose));
    expect(byId(await db.loadEntities(['default']))).toEqual([note('a', { text: 'mine', n: 2, extra: true }), note('b', { text: 'local', n: 0 })]);
    expect(await db.heldAside()).toEqual([]);
    await db.close();
  });

  it('reset and losing a space drop what they held aside', async () => {
    const { db } = await openOn(await freshPGlite(), appSchema(1, v1));
    await pull(db, [['a', note('a', { body: 'x' })]], 1);
    await db.dropSpace('default');
    expect(await db.heldAside()).toEqual([]);
    await db.ensureSpace('default');
    await pull(db, [['a', note('a', { body: 'x' })]], 1);
    await db.reset('p2', 'c2');
    expect(await db.heldAside()).toEqual([]);
    await db.close();
  });
});
