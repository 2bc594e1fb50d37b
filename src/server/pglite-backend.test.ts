import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncBackend } from './backend.js';
import { createPGliteBackend } from './pglite-backend.js';
import type { ServerProblem } from './problems.js';

const backends: SyncBackend[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function open(source: string) {
  const problems: ServerProblem[] = [];
  const backend = await createPGliteBackend(source, { onError: (problem) => problems.push(problem) });
  backends.push(backend);
  const read = <R>(sql: string) => backend.transaction('read', (tx) => tx.query<R>(sql));
  return { backend, problems, read };
}

/** initdb leaves two template databases; the packed database has none, nor the local db's tables. */
const fromThePack = async (read: Awaited<ReturnType<typeof open>>['read']) => ({
  databases: (await read<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname')).map((row) => row.datname),
  tables: (await read<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).map((row) => row.tablename),
});

describe('the PGlite backend', () => {
  it('starts a new memory:// database from the packed one, without the local db\'s tables', async () => {
    const { read, problems } = await open('memory://');
    expect(await fromThePack(read)).toEqual({ databases: ['postgres'], tables: [] });
    expect(problems).toEqual([]);
  });

  it('starts a new folder from the packed one, and reopens it as it is', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kalphite-server-db-'));
    dirs.push(folder);
    const first = await open(folder);
    expect(await fromThePack(first.read)).toEqual({ databases: ['postgres'], tables: [] });
    await first.backend.transaction('write', (tx) => tx.query('CREATE TABLE kept (id int)'));
    await backends.splice(0)[0]!.close();
    const second = await open(folder);
    expect((await fromThePack(second.read)).tables).toEqual(['kept']);
    expect([...first.problems, ...second.problems]).toEqual([]);
  });
});
