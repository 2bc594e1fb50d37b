import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createKalphite, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { freshSchema, postgresAvailable } from '../test-support/postgres.js';
import { startSyncServer } from './http.js';

const hasPostgres = await postgresAvailable();
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function engine(syncUrl: string): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), syncUrl, pushDelayMs: 0, flushDelayMs: 0, pullIntervalMs: 600_000 });
  cleanups.push(() => k.close());
  return k;
}

/** `npm run server` in a child process of its own, on the given database; resolves to its URL. */
async function serverProcess(db: string): Promise<string> {
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', cli], { env: { ...process.env, KALPHITE_DB: db, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  });
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const url = /(http:\/\/[\d.]+:\d+)\/api\/sync/.exec(output)?.[1];
    if (url) return url;
  }
  throw new Error(`the server process exited: ${output}`);
}

describe.skipIf(!hasPostgres)('PostgreSQL: growing past one process', () => {
  it('two server processes on one database poke each other’s clients (LISTEN/NOTIFY)', async () => {
    const schema = await freshSchema();
    cleanups.push(schema.drop);
    const local = await startSyncServer({ db: schema.url });
    cleanups.push(() => local.close());
    const otherUrl = await serverProcess(schema.url);
    const a = await engine(`${local.url}/api/sync`);
    const b = await engine(`${otherUrl}/api/sync`);
    await expect.poll(() => b.sync!.status.poke, { timeout: 20_000 }).toBe('open');
    a.store.entities.set('x', { id: 'x', type: 'note', data: { text: 'via process one' } });
    // b pulls only on a poke here (its interval is ten minutes): the poke crossed processes.
    await expect.poll(() => b.store.getById('x'), { timeout: 20_000 }).toEqual({ id: 'x', type: 'note', data: { text: 'via process one' }, space: 'default' });
    b.store.entities.set('y', { id: 'y', type: 'note', data: { text: 'via process two' } });
    await expect.poll(() => a.store.getById('y'), { timeout: 20_000 }).not.toBeNull();
  });

  it('a server restart between push and pull loses nothing', async () => {
    const schema = await freshSchema();
    cleanups.push(schema.drop);
    const first = await startSyncServer({ db: schema.url });
    const port = Number(new URL(first.url).port);
    const a = await createKalphite({ pglite: await freshPGlite(), syncUrl: `${first.url}/api/sync`, poke: false, pullIntervalMs: 600_000 });
    cleanups.push(() => a.close());
    a.store.entities.set('r', { id: 'r', type: 'note', data: { text: 'survives' } });
    await a.flush();
    await a.sync!.push();
    await first.close();
    const second = await startSyncServer({ db: schema.url, port });
    cleanups.push(() => second.close());
    await a.sync!.pull();
    expect(a.sync!.status.unacknowledged).toBe(0);
    expect(a.sync!.status.spaces.find((s) => s.space === 'default')?.acknowledgedMutationId).toBe(1);
    const pulled = await second.core.pull({ pullVersion: 1, clientGroupID: 'observer', profileID: '', schemaVersion: '', cookie: null });
    expect(pulled.patch).toContainEqual({ op: 'put', key: 'r', value: { id: 'r', type: 'note', data: { text: 'survives' }, space: 'default' } });
  });
});
