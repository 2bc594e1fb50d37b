import { LocalDb } from '../src/engine/local-db.js';
import { comments } from './fixtures.js';
import { freshPGlite, quietEngine } from './engines.js';
import { median, ms, perSecond, type Row } from './measure.js';

/**
 * Layer 2 + 3: entities/s from `entities.set` to committed in PGlite, against the same rows
 * written to the same two tables by one plain multi-row INSERT each, in one transaction.
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
      const rows = JSON.stringify(entities.map((e, i) => ({ seq: i + 1, id: e.id, type: e.type, value: e })));
      await pglite.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO entities (id, type, value)
           SELECT id, type, value FROM json_to_recordset($1::json) AS o(id text, type text, value json)`,
          [rows],
        );
        await tx.query(
          `INSERT INTO client_changes (client_id, id, entity_id, entity_type, op, data, created_at)
           SELECT 'bench', seq, id, type, 'upsert', value, 0 FROM json_to_recordset($1::json) AS o(seq bigint, id text, type text, value json)`,
          [rows],
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
