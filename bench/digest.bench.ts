import type { PGliteInterface } from '@electric-sql/pglite';
import { DIGEST_PAGE_SIZE } from '../src/protocol/digest.js';
import type { SqlExecutor, SyncBackend } from '../src/server/backend.js';
import { spaceDigest, typeHashes } from '../src/server/digest.js';
import { createPGliteBackend } from '../src/server/pglite-backend.js';
import { ensureSchema } from '../src/server/schema.js';
import { freshPGlite } from './engines.js';
import { comments } from './fixtures.js';
import { median, ms, type Row } from './measure.js';

/**
 * The divergence check's server side (issue 20), at N entities in one space (4 in 5 comments, 1 in
 * 5 reviews, a tombstone per 50), on PGlite:
 * - the digest (every type's count and digest), against reading every value of the space as text
 *   (what the digest hashes: the least any digest of the contents can cost);
 * - the drill-down into the reviews (every page of their ids and hashes, `DIGEST_PAGE_SIZE` a page),
 *   against one query reading all of them as text; and the same drill-down without the
 *   (space_id, type, key) index (migration 4), to show what it saves.
 */
const SPACE = 'bench';
const TYPE = 'review';

async function serverDatabase(n: number): Promise<{ db: PGliteInterface; backend: SyncBackend }> {
  const db = await freshPGlite();
  const backend = await createPGliteBackend(db);
  const entities = comments(n).map((entity) => ({ ...entity, space: SPACE }));
  await backend.transaction('write', async (tx) => {
    await ensureSchema(tx);
    // Written as the core stores them (value is the entity), in one statement: the bench times reads.
    await tx.query(
      `INSERT INTO kalphite_entities (space_id, key, type, value, version, deleted)
       SELECT $1, e->>'id', e->>'type', CASE WHEN ord % 50 = 1 THEN NULL ELSE e END, ord, ord % 50 = 1
       FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, ord)`,
      [SPACE, JSON.stringify(entities)],
    );
    await tx.query(`INSERT INTO kalphite_spaces (space_id, version) VALUES ($1, $2)`, [SPACE, n]);
  });
  await db.query('ANALYZE kalphite_entities');
  return { db, backend };
}

/** Every page of `TYPE`'s hashes, as the client's drill-down asks for them. */
async function drillDown(tx: SqlExecutor): Promise<number> {
  let after: string | null = null;
  let ids = 0;
  for (;;) {
    const page = await typeHashes(tx, SPACE, TYPE, after, DIGEST_PAGE_SIZE);
    ids += page.hashes.length;
    if (!page.more) return ids;
    after = page.hashes[page.hashes.length - 1]!.id;
  }
}

export async function benchDigest(n: number): Promise<Row[]> {
  const { db, backend } = await serverDatabase(n);
  const withoutIndex = await db.clone();
  await withoutIndex.query('DROP INDEX kalphite_entities_type');
  const unindexed = await createPGliteBackend(withoutIndex);
  const live = n - n / 50;
  // Tombstones fall on every 50th entity from the first, which is a review.
  const reviews = n / 5 - n / 50;
  const runs = 5;
  const read = (on: SyncBackend, fn: (tx: SqlExecutor) => Promise<number>, expected: number) => async () => {
    const got = await on.transaction('read', fn);
    if (got !== expected) throw new Error(`read ${got}, expected ${expected}`);
  };
  try {
    const digest = await median({
      runs,
      setup: () => undefined,
      run: read(backend, async (tx) => (await spaceDigest(tx, SPACE)).types.reduce((sum, t) => sum + t.count, 0), live),
    });
    const readAll = await median({
      runs,
      setup: () => undefined,
      run: read(backend, async (tx) => (await tx.query(`SELECT value::text AS text FROM kalphite_entities WHERE space_id = $1 AND NOT deleted`, [SPACE])).length, live),
    });
    const drill = await median({ runs, setup: () => undefined, run: read(backend, drillDown, reviews) });
    const readType = await median({
      runs,
      setup: () => undefined,
      run: read(backend, async (tx) => (await tx.query(`SELECT key, value::text AS text FROM kalphite_entities WHERE space_id = $1 AND type = $2 AND NOT deleted`, [SPACE, TYPE])).length, reviews),
    });
    const drillUnindexed = await median({ runs: 3, warmup: 1, setup: () => undefined, run: read(unindexed, drillDown, reviews) });
    return [
      { figure: 'divergence digest: every type’s count and digest, vs reading every value', n, kalphite: ms(digest), floor: ms(readAll), ratio: digest / readAll, target: '≤ 3× the read', pass: digest / readAll <= 3 },
      { figure: `divergence drill-down: every page of ${reviews.toLocaleString('en-US')} reviews’ hashes, vs reading them in one query`, n, kalphite: ms(drill), floor: ms(readType), ratio: drill / readType, target: '≤ 2× the read', pass: drill / readType <= 2 },
      { figure: 'the same drill-down without the (space_id, type, key) index', n, kalphite: ms(drillUnindexed), floor: ms(drill), ratio: drillUnindexed / drill, target: 'what the index saves', pass: null },
    ];
  } finally {
    await unindexed.close();
    await withoutIndex.close();
    await backend.close();
    await db.close();
  }
}
