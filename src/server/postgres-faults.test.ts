import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, postgresAvailable, POSTGRES_URL } from '../test-support/postgres.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';
import { BackendUnavailableError } from './backend.js';
import { createPostgresBackend } from './postgres-backend.js';
import type { ServerProblem } from './problems.js';

const hasPostgres = await postgresAvailable();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Terminates every backend of this application name (ours alone: the database is shared). */
async function terminate(applicationName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    // Targets first, materialized: the planner may not evaluate the terminate before the filter.
    const { rows } = await admin.query<{ pid: number }>(
      `WITH targets AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid())
       SELECT pid FROM targets WHERE pg_terminate_backend(pid)`,
      [applicationName],
    );
    return rows.length;
  } finally {
    await admin.end();
  }
}

const appName = () => `kalphite-faults-${Math.random().toString(36).slice(2, 10)}`;

async function serverOnFreshSchema(applicationName: string): Promise<ServerProcess> {
  const schema = await freshSchema();
  cleanups.push(schema.drop);
  const server = await startServerProcess({ db: schema.url, postgres: { applicationName, reconnect: { baseMs: 20, maxMs: 200 } } });
  cleanups.push(() => server.stop());
  return server;
}

const request = (kind: 'push' | 'pull', body: object) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ [`${kind}Version`]: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', ...body }),
});
const upsert = (clientID: string, id: number) => ({ clientID, id, name: 'upsert', args: { id: `${clientID}-${id}`, type: 'note', data: { n: id } }, timestamp: id });

/** An SSE reader that collects text; `until` waits for a match. */
async function pokeStream(url: string) {
  const abort = new AbortController();
  const response = await fetch(`${url}/api/sync/poke`, { signal: abort.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  return {
    until: async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the poke stream ended; it said: ${text}`);
        text += value;
      }
      const seen = text;
      text = '';
      return seen;
    },
    close: () => abort.abort(),
  };
}

describe.skipIf(!hasPostgres)('PostgreSQL connection loss', () => {
  it('a transaction whose backend is terminated rejects as unavailable, and the next one works', async () => {
    const schema = await freshSchema();
    cleanups.push(schema.drop);
    const problems: ServerProblem[] = [];
    const backend = createPostgresBackend(schema.url, { maxConnections: 1, onError: (p) => problems.push(p) });
    cleanups.push(() => backend.close());
    const failed = backend.transaction('write', async (tx) => {
      await tx.query('SELECT pg_terminate_backend(pg_backend_pid())');
      return 'committed';
    });
    await expect(failed).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(failed).rejects.toThrow(/PostgreSQL is unavailable \(in a transaction\)/);
    // The broken client left the pool (of one): the next transaction gets a new connection.
    await expect(backend.transaction('read', (tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
  });

  it('a database that cannot be reached is unavailable; a LISTEN that cannot open is too, and is tried again', async () => {
    const backend = createPostgresBackend('postgres://postgres@127.0.0.1:1/test', { connectTimeoutMs: 2000, reconnect: { baseMs: 10, maxMs: 10 }, onError: () => {} });
    cleanups.push(() => backend.close());
    await expect(backend.transaction('read', (tx) => tx.query('SELECT 1'))).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(backend.onPublish(() => {})).rejects.toBeInstanceOf(BackendUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(backend.onPublish(() => {})).rejects.toThrow(/ECONNREFUSED/);
  });

  it('terminating the LISTEN connection under open poke streams: the process lives, streams get one poke, pokes resume', async () => {
    const applicationName = appName();
    const server = await serverOnFreshSchema(applicationName);
    const streams = await Promise.all([1, 2, 3].map(() => pokeStream(server.url)));
    for (const stream of streams) await stream.until(/: connected/);
    expect(await terminate(applicationName)).toBeGreaterThan(0);
    await server.problem('poke-channel-lost');
    // Reopened: each stream hears a poke for the gap (pushes meanwhile were not heard).
    for (const stream of streams) expect(await stream.until(/event: poke\ndata: gap/)).toBeTruthy();
    expect((await fetch(`${server.url}/api/sync/push`, request('push', { mutations: [upsert('c', 1)] }))).status).toBe(200);
    for (const stream of streams) expect(await stream.until(/event: poke\ndata: {"space":"default","version":1}\n/)).toBeTruthy();
    for (const stream of streams) stream.close();
    expect(server.child.exitCode).toBeNull();
  });

  it('terminating every connection under push traffic: the process lives, requests get 200 or 503, nothing acknowledged is lost', async () => {
    const applicationName = appName();
    const server = await serverOnFreshSchema(applicationName);
    const statuses = new Map<number, number>();
    const writers = ['a', 'b', 'c', 'd'];
    const PUSHES = 25;
    let terminated = 0;
    // Each writer pushes its mutations in order and retries a failed push as the engine does.
    const write = async (clientID: string) => {
      for (let id = 1; id <= PUSHES; ) {
        const response = await fetch(`${server.url}/api/sync/push`, request('push', { mutations: [upsert(clientID, id)] }));
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        await response.arrayBuffer();
        if (response.status === 200) id++;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const traffic = Promise.all(writers.map(write));
    const stream = await pokeStream(server.url);
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      terminated += await terminate(applicationName);
    }
    await traffic;
    stream.close();
    expect(terminated).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    const pulled = (await (await fetch(`${server.url}/api/sync/pull`, request('pull', { cookie: null }))).json()) as { patch: { key: string }[] };
    const keys = new Set(pulled.patch.map((op) => op.key));
    for (const clientID of writers) for (let id = 1; id <= PUSHES; id++) expect(keys.has(`${clientID}-${id}`)).toBe(true);
    expect(server.stderr()).not.toMatch(/Uncaught|unhandled/i);
  });
});
