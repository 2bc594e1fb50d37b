import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { combineHashes, entityHash, parseSpaceDigest, parseTypeHashes, type SpaceDigest, type TypeHashes } from '../protocol/digest.js';
import { entityProblem, type Entity } from '../protocol/entity.js';
import type { JsonValue } from '../protocol/json.js';
import type { Mutation } from '../protocol/push.js';
import { freshPGlite } from '../test-support/pglite.js';
import { freshSchema, postgresAvailable } from '../test-support/postgres.js';
import type { SyncBackend } from './backend.js';
import { createSyncCore, type SyncCore, type SyncCoreOptions } from './core.js';
import { createSyncHandler } from './handler.js';
import { createPGliteBackend } from './pglite-backend.js';
import { createPostgresBackend } from './postgres-backend.js';

/**
 * The digest route (protocol/digest.ts) on both databases: what the server sums in SQL is what a
 * client computes in JavaScript over the same entities, whatever they hold.
 */

const hasPostgres = await postgresAvailable();

const backends: Array<[string, (() => Promise<{ backend: SyncBackend; cleanup: () => Promise<void> }>) | null]> = [
  ['PGlite', async () => ({ backend: await createPGliteBackend(await freshPGlite()), cleanup: async () => {} })],
  [
    'PostgreSQL',
    hasPostgres
      ? async () => {
          const schema = await freshSchema();
          return { backend: await createPostgresBackend(schema.url), cleanup: schema.drop };
        }
      : null,
  ],
];

const upsert = (id: number, entity: Entity): Mutation => ({ clientID: 'c1', id, name: 'upsert', args: entity as never, timestamp: 0 });
const del = (id: number, key: string): Mutation => ({ clientID: 'c1', id, name: 'delete', args: { id: key }, timestamp: 0 });
/** As the server stores an entity: naming its space. */
const stored = (entity: Entity, space: string): Entity => ({ ...entity, space });

// Values that print differently in jsonb and in JSON.stringify: key order, spacing, numbers, escapes.
const tricky: JsonValue = {
  zz: 1e21,
  a: 1.5e-7,
  é: 'é',
  'é😀': ['x\n\t"\\', '\u0001\u001f\u007f\u2028', null, true, false, -0, 0.1 + 0.2, 123456789012345680000],
  bb: { '': {}, ' ': [], b: [[], {}], a: -2.5e-300 },
  '10': 5e-324,
  '9': -1.7976931348623157e308,
};

for (const [name, factory] of backends) {
  describe.skipIf(factory === null)(`the digest route on ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function open(options: Omit<SyncCoreOptions, 'backend'> = {}): Promise<SyncCore> {
      const made = await factory!();
      cleanups.push(made.cleanup);
      const core = await createSyncCore({ backend: made.backend, ...options });
      cleanups.push(() => core.close());
      return core;
    }

    const digestOf = async (core: SyncCore, space: string): Promise<SpaceDigest> => parseSpaceDigest(await core.digest({ digestVersion: 1 }, { space }));

    it('an empty space: version 0 and no types', async () => {
      const core = await open();
      expect(await digestOf(core, 'nothing')).toEqual({ space: 'nothing', version: 0, types: [] });
    });

    it('per type: the count and the sum of what the client hashes, without tombstones and without other spaces', async () => {
      const core = await open();
      const notes: Entity[] = [
        { id: 'n1', type: 'note', data: tricky, updatedAt: 1 },
        { id: 'n2', type: 'note', data: { text: 'plain' } },
        { id: 'n3', type: 'note', data: 'gone' },
      ];
      const review: Entity = { id: 'r1', type: 'review', data: { status: 'pending', comments: [1, 2, 3] } };
      await core.push({ pushVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', mutations: [...notes, review].map((e, i) => upsert(i + 1, e)) }, { space: 'work' });
      await core.push({ pushVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', mutations: [del(5, 'n3')] }, { space: 'work' });
      await core.push({ pushVersion: 1, clientGroupID: 'h', profileID: 'p', schemaVersion: '1', mutations: [upsert(1, { id: 'x', type: 'note', data: 1 })] }, { space: 'elsewhere' });

      const digest = await digestOf(core, 'work');
      expect(digest).toEqual({
        space: 'work',
        version: 2,
        types: [
          { type: 'note', count: 2, digest: combineHashes(notes.slice(0, 2).map((e) => entityHash(stored(e, 'work') as never))) },
          { type: 'review', count: 1, digest: combineHashes([entityHash(stored(review, 'work') as never)]) },
        ],
      });
    });

    it("one type's ids with their hashes, page by page in key order", async () => {
      const core = await open();
      const notes = Array.from({ length: 7 }, (_, i): Entity => ({ id: `note-${i}`, type: 'note', data: { i } }));
      await core.push(
        { pushVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', mutations: [...notes, { id: 'r', type: 'review', data: null }].map((e, i) => upsert(i + 1, e)) },
        { space: 's' },
      );
      const pages: TypeHashes[] = [];
      let after: string | undefined;
      do {
        const page = parseTypeHashes(await core.digest({ digestVersion: 1, type: 'note', limit: 3, ...(after !== undefined && { after }) }, { space: 's' }));
        pages.push(page);
        after = page.more ? page.hashes.at(-1)?.id : undefined;
      } while (after !== undefined);
      expect(pages.map((p) => [p.hashes.length, p.more])).toEqual([
        [3, true],
        [3, true],
        [1, false],
      ]);
      expect(pages.flatMap((p) => p.hashes)).toEqual(notes.map((e) => ({ id: e.id, hash: entityHash(stored(e, 's') as never) })));
      expect(pages[0]).toMatchObject({ space: 's', version: 1, type: 'note' });
    });

    it('whatever the data holds, the server hashes each entity as the client does', async () => {
      const core = await open();
      const storable = fc.jsonValue({ maxDepth: 3 }).filter((data) => entityProblem('e', { id: 'e', type: 't', data }) === null);
      await fc.assert(
        fc.asyncProperty(fc.array(storable, { minLength: 1, maxLength: 40 }), async (values) => {
          const space = `p${Math.random().toString(36).slice(2)}`;
          const entities = values.map((data, i): Entity => ({ id: `e${i}`, type: 't', data: data as JsonValue }));
          await core.push({ pushVersion: 1, clientGroupID: `g-${space}`, profileID: 'p', schemaVersion: '1', mutations: entities.map((e, i) => upsert(i + 1, e)) }, { space });
          const { hashes } = parseTypeHashes(await core.digest({ digestVersion: 1, type: 't' }, { space }));
          const expected = new Map(entities.map((e) => [e.id, entityHash(stored(e, space) as never)]));
          expect(new Map(hashes.map((h) => [h.id, h.hash]))).toEqual(expected);
          expect((await digestOf(core, space)).types).toEqual([{ type: 't', count: entities.length, digest: combineHashes(expected.values()) }]);
        }),
        { numRuns: 25 },
      );
    }, 60_000);

    it('a reader may ask; a user who may not read the space gets a 403 that names nothing in it', async () => {
      const core = await open({ authorize: ({ user, action }) => user.id === 'reader' && action === 'read' });
      expect(await digestOf(core, 'x').catch(() => null)).toBeNull();
      await expect(core.digest({ digestVersion: 1 }, { space: 'x', user: { id: 'reader' } })).resolves.toEqual({ space: 'x', version: 0, types: [] });
      await expect(core.digest({ digestVersion: 1, type: 'note' }, { space: 'x', user: { id: 'other' } })).rejects.toMatchObject({ code: 'forbidden', details: { denied: 'read', space: 'x' } });
    });
  });
}

describe('the digest route at the handler', () => {
  const closers: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function handler() {
    const core = await createSyncCore({ backend: await createPGliteBackend(await freshPGlite()), authorize: ({ space }) => space !== 'secret' });
    const handle = createSyncHandler({ core });
    closers.push(() => core.close(), () => handle.closeStreams());
    return (body: unknown, query = '?space=s', method = 'POST') =>
      handle(new Request(`http://127.0.0.1/api/sync/digest${query}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'POST' && { body: JSON.stringify(body) }) }));
  }

  it('POST …/digest?space= answers the digest; a bad body is a 400, a space the caller may not read a 403, GET a 405', async () => {
    const ask = await handler();
    const ok = await ask({ digestVersion: 1 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ space: 's', version: 0, types: [] });
    const page = await ask({ digestVersion: 1, type: 'note', limit: 10 });
    expect(await page.json()).toEqual({ space: 's', version: 0, type: 'note', hashes: [], more: false });

    for (const body of [{ digestVersion: 1, type: '' }, { digestVersion: 1, after: 'a' }, { digestVersion: 1, type: 'n', limit: 0 }, { digestVersion: 1, type: 'n', limit: 10_001 }, []]) {
      const bad = await ask(body);
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: 'invalid-request' });
    }
    expect((await ask({ digestVersion: 2 })).status).toBe(400);
    const forbidden = await ask({ digestVersion: 1 }, '?space=secret');
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: 'forbidden', denied: 'read' });
    expect((await ask(null, '?space=a&space=b')).status).toBe(400);
    expect((await ask(null, '?space=s', 'GET')).status).toBe(405);
  });
});
