import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshPGlite } from '../test-support/pglite.js';
import { freshSchema, postgresAvailable, POSTGRES_URL } from '../test-support/postgres.js';
import type { SyncBackend } from './backend.js';
import { startSyncServer, type SyncServer } from './http.js';
import { createPGliteBackend } from './pglite-backend.js';

/** `db` as a function: each space's rows in the database it names, and nowhere else (SPACES.md rule 4). */
const hasPostgres = await postgresAvailable();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const post = (server: SyncServer, route: 'push' | 'pull', space: string, body: object) =>
  fetch(`${server.url}/api/sync/${route}?space=${encodeURIComponent(space)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const push = (server: SyncServer, space: string, key: string) =>
  post(server, 'push', space, {
    pushVersion: 1,
    clientGroupID: 'g',
    profileID: 'p',
    schemaVersion: '1',
    mutations: [{ clientID: 'c', id: 1, name: 'upsert', args: { id: key, type: 'note', data: { space } }, timestamp: 1 }],
  });

/** A poke stream of these spaces, collecting its text. */
async function pokes(server: SyncServer, spaces: readonly string[]) {
  const abort = new AbortController();
  cleanups.push(async () => abort.abort());
  const response = await fetch(`${server.url}/api/sync/poke?${new URLSearchParams(spaces.map((space) => ['space', space]))}`, { signal: abort.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
      if (done) return;
      text += value;
    }
  })();
  return { text: () => text };
}

/** A second database on the local server (created once, kept), and a fresh schema in it. */
async function secondDatabase(): Promise<{ url: string; sql: <R>(text: string) => Promise<R[]> }> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'kalphite_test_b'`);
    // Another test run may create it between the look and the create: 42P04 means it is there.
    if (rows.length === 0) await admin.query('CREATE DATABASE kalphite_test_b').catch((error: { code?: string }) => (error.code === '42P04' ? undefined : Promise.reject(error)));
  } finally {
    await admin.end();
  }
  const base = new URL(POSTGRES_URL);
  base.pathname = '/kalphite_test_b';
  const schema = `kalphite_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await sqlOn(base.toString(), `CREATE SCHEMA ${schema}`);
  cleanups.push(() => sqlOn(base.toString(), `DROP SCHEMA ${schema} CASCADE`));
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), sql: (text) => sqlOn(url.toString(), text) };
}

async function sqlOn<R>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as R[];
  } finally {
    await client.end();
  }
}

/** Connections to the second database now (the admin connection goes to the first). */
async function connectionsToB(): Promise<number> {
  const [row] = await sqlOn<{ n: number }>(POSTGRES_URL, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'kalphite_test_b'`);
  return row!.n;
}

describe.skipIf(!hasPostgres)('spaces routed to two PostgreSQL databases', () => {
  it("each space's rows land in its own database only; pokes come from both; both are opened on first use and closed with the server", async () => {
    const a = await freshSchema();
    cleanups.push(a.drop);
    const b = await secondDatabase();
    const server = await startSyncServer({ db: (space) => (space.startsWith('b:') ? b.url : a.url) });
    let closed = false;
    cleanups.push(async () => closed || server.close());
    expect(await connectionsToB()).toBe(0);
    const stream = await pokes(server, ['a:1', 'b:1']);
    await expect.poll(() => stream.text()).toContain(': connected');
    expect((await push(server, 'a:1', 'in-a')).status).toBe(200);
    expect((await push(server, 'b:1', 'in-b')).status).toBe(200);
    expect((await push(server, 'b:2', 'in-b2')).status).toBe(200);

    const rows = (sql: (text: string) => Promise<{ space_id: string; key: string }[]>) => sql('SELECT space_id, key FROM kalphite_entities ORDER BY space_id, key');
    expect(await rows((text) => sqlOn(a.url, text))).toEqual([{ space_id: 'a:1', key: 'in-a' }]);
    expect(await rows(b.sql)).toEqual([
      { space_id: 'b:1', key: 'in-b' },
      { space_id: 'b:2', key: 'in-b2' },
    ]);
    await expect.poll(() => stream.text()).toContain('data: {"space":"a:1","version":1}');
    await expect.poll(() => stream.text()).toContain('data: {"space":"b:1","version":1}');
    expect(stream.text()).not.toContain('b:2');
    const pulled = (await (await post(server, 'pull', 'b:1', { pullVersion: 1, clientGroupID: 'g', cookie: null })).json()) as { patch: { key?: string }[] };
    expect(pulled.patch.map((op) => op.key)).toEqual([undefined, 'in-b']);

    expect(await connectionsToB()).toBeGreaterThan(0);
    await server.close();
    closed = true;
    await expect.poll(connectionsToB).toBe(0);
  });
});

describe('spaces routed to PGlite databases', () => {
  it('a function to backends of your own: rows land in the one it names, each is closed with the server', async () => {
    const [one, two] = [await freshPGlite(), await freshPGlite()];
    const closedBackends: string[] = [];
    const named = async (name: string, db: typeof one): Promise<SyncBackend> => {
      const backend = await createPGliteBackend(db);
      return { ...backend, close: async () => void closedBackends.push(name) };
    };
    const backends = { one: await named('one', one), two: await named('two', two) };
    const server = await startSyncServer({ db: (space) => (space === 'two' ? backends.two : backends.one) });
    expect((await push(server, 'one', 'in-one')).status).toBe(200);
    expect((await push(server, 'two', 'in-two')).status).toBe(200);
    expect((await one.query('SELECT space_id, key FROM kalphite_entities')).rows).toEqual([{ space_id: 'one', key: 'in-one' }]);
    expect((await two.query('SELECT space_id, key FROM kalphite_entities')).rows).toEqual([{ space_id: 'two', key: 'in-two' }]);
    await server.close();
    expect(closedBackends.sort()).toEqual(['one', 'two']);
  });

  it('a function to memory:// URLs: each URL one database, opened once', async () => {
    const server = await startSyncServer({ db: (space) => `memory://${space.split(':')[0]}` });
    cleanups.push(() => server.close());
    for (const [space, key] of [['x:1', 'a'], ['x:2', 'b'], ['y:1', 'c']] as const) expect((await push(server, space, key)).status).toBe(200);
    const keys = async (space: string) => ((await (await post(server, 'pull', space, { pullVersion: 1, clientGroupID: 'g', cookie: null })).json()) as { patch: { key?: string }[] }).patch.map((op) => op.key);
    expect(await keys('x:1')).toEqual([undefined, 'a']);
    expect(await keys('x:2')).toEqual([undefined, 'b']);
    expect(await keys('y:1')).toEqual([undefined, 'c']);
  });
});
