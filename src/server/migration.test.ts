import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshPGlite } from '../test-support/pglite.js';
import { freshSchema, postgresAvailable } from '../test-support/postgres.js';
import type { SyncBackend } from './backend.js';
import { createSyncCore, type SyncCore } from './core.js';
import { createPGliteBackend } from './pglite-backend.js';
import { createPostgresBackend } from './postgres-backend.js';
import { SCHEMA_VERSION } from './schema.js';

/**
 * A database written by the release before spaces (fixtures/before-spaces.sql, made by that
 * release's own code) opened by today's server: it migrates in place into the `default` space, and
 * its clients carry on with the cookies and mutation ids they hold.
 */
const hasPostgres = await postgresAvailable();
const FIXTURE = readFileSync(new URL('./fixtures/before-spaces.sql', import.meta.url), 'utf8');

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Opens backends on one database holding the fixture; `sql` runs a statement outside any core. */
type OldDatabase = { backend: () => Promise<SyncBackend>; sql: <R>(text: string) => Promise<R[]> };

const databases: Array<[string, (() => Promise<OldDatabase>) | null]> = [
  [
    'PGlite',
    async () => {
      const db = await freshPGlite();
      await db.exec(FIXTURE);
      const backend = await createPGliteBackend(db);
      // One embedded database: every "process" shares it, and only the test closes it.
      return { backend: async () => ({ ...backend, close: async () => {} }), sql: async <R>(text: string) => (await db.query<R>(text)).rows };
    },
  ],
  [
    'PostgreSQL',
    hasPostgres
      ? async () => {
          const schema = await freshSchema();
          cleanups.push(schema.drop);
          const sql = async <R>(text: string) => {
            const client = new pg.Client({ connectionString: schema.url });
            await client.connect();
            try {
              return (await client.query(text)).rows as R[];
            } finally {
              await client.end();
            }
          };
          await sql(FIXTURE);
          return { backend: async () => createPostgresBackend(schema.url), sql };
        }
      : null,
  ],
];

const pullReq = (clientGroupID: string, cookie: number | null) => ({ pullVersion: 1 as const, clientGroupID, profileID: 'p', schemaVersion: '1', cookie });
const upsert = (clientID: string, id: number, key: string, text: string) => ({ clientID, id, name: 'upsert', args: { id: key, type: 'note', data: { text } }, timestamp: 1 });
const pushReq = (clientGroupID: string, mutations: ReturnType<typeof upsert>[]) => ({ pushVersion: 1 as const, clientGroupID, profileID: 'p', schemaVersion: '1', mutations });
const note = (id: string, text: string) => ({ id, type: 'note', data: { text }, space: 'default' });

for (const [name, open] of databases) {
  describe.skipIf(open === null)(`a database of the release before spaces, on ${name}`, () => {
    async function migrated(): Promise<{ core: SyncCore; old: OldDatabase }> {
      const old = await open!();
      const core = await createSyncCore({ backend: await old.backend() });
      cleanups.push(() => core.close());
      return { core, old };
    }

    it("migrates into the default space: an old client's pull answers what that release answered", async () => {
      const { core, old } = await migrated();
      // What ed69ff9 answered group-a at cookie 1 (see the fixture), values now naming their space.
      expect(await core.pull(pullReq('group-a', 1))).toEqual({
        cookie: 3,
        lastMutationIDChanges: { 'client-a2': 3 },
        patch: [
          { op: 'put', key: 'b', value: note('b', 'beta, edited by b1') },
          { op: 'del', key: 'c' },
          { op: 'put', key: 'a', value: note('a', 'alpha') },
          { op: 'put', key: 'd', value: note('d', 'delta') },
          { op: 'del', key: 'l' },
        ],
        refused: [
          { clientID: 'client-a2', id: 1, reason: 'The locked resolver refused the write.' },
          { clientID: 'client-a2', id: 2, reason: 'Unknown mutator "rename".' },
        ],
        writable: true,
      });
      expect(await core.pull(pullReq('group-b', 3))).toEqual({ cookie: 3, lastMutationIDChanges: {}, patch: [], writable: true });
      expect(await old.sql<{ version: number }>('SELECT version FROM kalphite_schema')).toEqual([{ version: SCHEMA_VERSION }]);
      expect(await old.sql<{ space_id: string; version: number }>('SELECT space_id, version::int AS version FROM kalphite_spaces')).toEqual([{ space_id: 'default', version: 3 }]);
      expect(await old.sql(`SELECT 1 FROM information_schema.tables WHERE table_name = 'kalphite_version' AND table_schema = current_schema()`)).toEqual([]);
    });

    it('old clients carry on: their next mutation ids apply, a resent one is skipped, and their groups go to the first user who syncs', async () => {
      const { core } = await migrated();
      const alice = { id: 'alice' };
      expect(await core.push(pushReq('group-a', [upsert('client-a1', 3, 'a', 'resent'), upsert('client-a1', 4, 'e', 'epsilon')]), { user: alice })).toEqual({
        version: 4,
        applied: 1,
        duplicates: 1,
        refused: [],
      });
      expect(await core.pull(pullReq('group-a', 3), { user: alice })).toMatchObject({ cookie: 4, lastMutationIDChanges: { 'client-a1': 4 }, patch: [{ op: 'put', key: 'e', value: note('e', 'epsilon') }] });
      await expect(core.pull(pullReq('group-a', 3), { user: { id: 'bob' } })).rejects.toMatchObject({ code: 'forbidden' });
      // group-b was bound to nobody: bob claims it by pulling, then it is his.
      expect(await core.pull(pullReq('group-b', 2), { user: { id: 'bob' } })).toMatchObject({ cookie: 4, lastMutationIDChanges: {} });
      await expect(core.push(pushReq('group-b', [upsert('client-b1', 3, 'b', 'x')]), { user: alice })).rejects.toMatchObject({ code: 'forbidden' });
    });

    it('servers starting at once migrate it once; a database from a newer server is refused', async () => {
      const old = await open!();
      const cores = await Promise.all([1, 2, 3, 4].map(async () => createSyncCore({ backend: await old.backend() })));
      for (const core of cores) cleanups.push(() => core.close());
      for (const core of cores) expect((await core.pull(pullReq('group-b', null))).cookie).toBe(3);
      expect(await old.sql('SELECT count(*)::int AS n FROM kalphite_entities')).toEqual([{ n: 4 }]);

      await old.sql(`UPDATE kalphite_schema SET version = ${SCHEMA_VERSION + 1}`);
      const backend = await old.backend();
      cleanups.push(() => backend.close());
      await expect(createSyncCore({ backend })).rejects.toMatchObject({ code: 'schema-too-new', message: expect.stringContaining('run a newer server') });
    });
  });
}
