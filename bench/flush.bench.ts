import { LocalDb } from '../src/engine/persist/local-db.js';
import { comments } from './fixtures.js';
import { freshPGlite, quietEngine } from './engines.js';
import { median, ms, perSecond, type Row } from './measure.js';

/**
 * Layer 2 + 3: entities/s from `entities.set` to committed in PGlite, against the same rows
 * written to the same two tables by one plain multi-row INSERT each, in one transaction, on a
 * PGlite opened the way the engine opens one.
 */
export async function benchFlush(n: number): Promise<Row[]> {
  const entities = comments(n);
  // One slow collection moves a median of three; five keep the 100,000 figure steadier.
  const runs = n >= 100_000 ? 5 : 7;

  const floor = await median({
    runs,
    setup: async () => {
      const pglite = await freshPGlite();
      await LocalDb.open({ pglite, randomId: () => 'bench', now: Date.now, emit: () => {} });
      return pglite;
    },
    run: async (pglite) => {
      // The engine's transport (a line per row, tab-separated, values as JSON), so the floor
      // differs from it only in what is written: the same rows, by plain INSERTs.
      const lines = entities.map((e) => `${e.id}\t${e.type}\t${JSON.stringify({ ...e, space: 'default' })}`).join('\n');
      await pglite.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO entities (space, id, type, value)
           SELECT 'default', f[1], f[2], f[3]::json FROM string_to_table($1, E'\\n') AS l, string_to_array(l, E'\\t') AS f`,
          [lines],
        );
        await tx.query(
          `INSERT INTO client_changes (space, client_id, id, entity_id, entity_type, op, data, created_at)
           SELECT 'default', 'bench', o.seq, f[1], f[2], 'upsert', f[3]::json, 0
           FROM string_to_table($1, E'\\n') WITH ORDINALITY AS o(l, seq), string_to_array(o.l, E'\\t') AS f`,
          [lines],
        );
      });
    },
    teardown: (pglite) => pglite.close(),
  });

  const engine = await median({
    runs,
    setup: () => quietEngine(),
    run: async ({ kalphite }) => {
      kalphite.store.batch(() => {
        for (const e of entities) kalphite.store.entities.set(e.id, e);
      });
      await kalphite.flush();
    },
    teardown: ({ dispose }) => dispose(),
  });

  const rate = (n / engine) * 1000;
  return [
    {
      figure: 'flush: `entities.set` → committed in PGlite',
      n,
      kalphite: `${ms(engine)} (${perSecond(n, engine)})`,
      floor: `${ms(floor)} (${perSecond(n, floor)}, plain INSERTs)`,
      ratio: engine / floor,
      target: '≤ 1.5×, ≥ 40,000/s',
      pass: engine / floor <= 1.5 && rate >= 40_000,
    },
  ];
}
