import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freshPGlite } from '../../../test-support/pglite.js';
import { syncPerQuery } from './sync-per-query.js';

/** A frontend message: its type byte, its length, then its body. */
function message(type: string, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(5 + body.length);
  bytes[0] = type.charCodeAt(0);
  new DataView(bytes.buffer).setInt32(1, 4 + body.length);
  bytes.set(body, 5);
  return bytes;
}
const cString = (text: string) => new TextEncoder().encode(`${text}\0`);
const simpleQuery = (sql: string) => message('Q', cString(sql));
/** Parse of an unnamed statement with no parameter types, as PGliteWorker's page side sends first. */
const parse = (sql: string) => message('P', new Uint8Array([...cString(''), ...cString(sql), 0, 0]));
const sync = () => message('S', new Uint8Array());

let db: PGlite;
let syncs: ReturnType<typeof vi.spyOn>;

beforeEach(async () => {
  const fresh = await freshPGlite();
  if (!(fresh instanceof PGlite)) throw new Error('freshPGlite gave no PGlite');
  db = fresh;
  syncs = vi.spyOn(db, 'syncToFs');
});

afterEach(async () => {
  await db.close();
});

describe('syncPerQuery', () => {
  it('syncs once per query, after its Sync message, not after each message', async () => {
    const served = syncPerQuery(db);
    await served.execProtocolStream(parse('SELECT 1'));
    expect(syncs).not.toHaveBeenCalled();
    await served.execProtocolStream(sync());
    expect(syncs).toHaveBeenCalledTimes(1);
  });

  it('syncs a transaction once, at its COMMIT', async () => {
    const served = syncPerQuery(db);
    await served.execProtocolStream(simpleQuery('BEGIN'));
    await served.execProtocolStream(simpleQuery('CREATE TABLE t (id int)'));
    await served.execProtocolStream(simpleQuery('INSERT INTO t VALUES (1)'));
    expect(syncs).not.toHaveBeenCalled();
    await served.execProtocolStream(simpleQuery('COMMIT'));
    expect(syncs).toHaveBeenCalledTimes(1);
    expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 1 }]);
  });

  it('serves every other member of the PGlite as it is', async () => {
    const served = syncPerQuery(db);
    expect((await served.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(served.closed).toBe(false);
  });
});
