import type { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshPGlite } from '../../../test-support/pglite.js';
import { serveDirectQueries } from './direct-queries.js';
import { isToLocalDbWorker } from './messages.js';
import { LocalDbWorkerClient } from './worker-client.js';

/**
 * A worker whose script is `serveDirectQueries` on a real PGlite, in this thread: messages cross as
 * structured clones, as they do to a worker. It says `here` first, as PGlite's worker script does;
 * PGliteWorker's own messages get no answer after that (the direct path never waits for them).
 */
class InThreadWorker extends EventTarget {
  readonly posted: unknown[] = [];
  terminated = false;
  readonly #serve: ReturnType<typeof serveDirectQueries>;
  constructor(db: PGlite) {
    super();
    this.#serve = serveDirectQueries(Promise.resolve(db), (message) => {
      queueMicrotask(() => this.#says(structuredClone(message)));
    });
    queueMicrotask(() => this.#says({ type: 'here' }));
  }
  #says(data: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
    if (isToLocalDbWorker(message)) this.#serve(structuredClone(message));
  }
  terminate(): void {
    this.terminated = true;
  }
}

let db: PGlite;
let worker: InThreadWorker;
let client: LocalDbWorkerClient;

beforeEach(async () => {
  db = (await freshPGlite()) as PGlite;
  worker = new InThreadWorker(db);
  client = new LocalDbWorkerClient(worker as unknown as Worker, 'idb://direct', { locks: null });
  await client.exec('CREATE TABLE notes (id text PRIMARY KEY, n int NOT NULL)');
});

afterEach(async () => {
  if (!db.closed) await db.close();
});

const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n;

describe('direct queries to the local db worker', () => {
  it('answers a query with its rows, each a structured clone', async () => {
    await client.query('INSERT INTO notes VALUES ($1, $2), ($3, $4)', ['a', 1, 'b', 2]);
    const { rows } = await client.query<{ id: string; n: number }>('SELECT id, n FROM notes ORDER BY id');
    expect(rows).toEqual([{ id: 'a', n: 1 }, { id: 'b', n: 2 }]);
  });

  it('rejects a failing statement with db-failed and its message', async () => {
    await expect(client.query('SELECT * FROM missing')).rejects.toMatchObject({ code: 'db-failed', message: expect.stringContaining('missing') });
  });

  it('holds a transaction open in the worker and commits it when the callback returns', async () => {
    const seen = await client.transaction(async (tx) => {
      await tx.query('INSERT INTO notes VALUES ($1, $2)', ['a', 1]);
      await tx.exec(`INSERT INTO notes VALUES ('b', 2)`);
      return (await tx.sql<{ n: number }>`SELECT count(*)::int AS n FROM notes WHERE n >= ${1}`).rows[0]!.n;
    });
    expect(seen).toBe(2);
    expect(await count()).toBe(2);
  });

  it('rolls the transaction back when the callback throws, and rethrows', async () => {
    await expect(
      client.transaction(async (tx) => {
        await tx.query('INSERT INTO notes VALUES ($1, $2)', ['a', 1]);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await count()).toBe(0);
  });

  it('fails the commit of a transaction whose statement failed, and keeps nothing of it', async () => {
    await expect(
      client.transaction(async (tx) => {
        await tx.query('INSERT INTO notes VALUES ($1, $2)', ['a', 1]);
        await tx.query('INSERT INTO notes VALUES ($1, $2)', ['a', 2]).catch(() => {});
      }),
    ).rejects.toMatchObject({ code: 'db-failed' });
    expect(await count()).toBe(0);
  });

  it('runs a query from outside after the open transaction ends, as PGlite does on one thread', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted: () => void = () => {};
    const open = new Promise<void>((resolve) => (inserted = resolve));
    const transaction = client.transaction(async (tx) => {
      await tx.query('INSERT INTO notes VALUES ($1, $2)', ['a', 1]);
      inserted();
      await held;
    });
    await open;
    const outside = client.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
    release();
    await transaction;
    expect((await outside).rows).toEqual([{ n: 1 }]);
  });

  it('closes PGlite in the worker once what was sent before is done, then ends the worker', async () => {
    const insert = client.query('INSERT INTO notes VALUES ($1, $2)', ['a', 1]);
    await client.close();
    await insert;
    expect(db.closed).toBe(true);
    expect(worker.terminated).toBe(true);
    expect(worker.posted.at(-1)).toMatchObject({ type: 'kalphite:close' });
  });

  it('sends nothing through PGliteWorker for a query, a script or a transaction, past its opening handshake', async () => {
    await client.transaction(async (tx) => tx.query('SELECT 1'));
    expect(worker.posted.filter((message) => !isToLocalDbWorker(message))).toEqual([{ type: 'init', options: { dataDir: 'idb://direct', id: 'kalphite-local-db:idb://direct' } }]);
  });
});
