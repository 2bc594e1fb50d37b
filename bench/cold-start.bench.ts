import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createKalphite } from '../src/engine/index.js';
import { comments } from './fixtures.js';
import { median, ms, type Row } from './measure.js';

/**
 * Layer 3 → 1: open a folder database and load N entities into memory, against opening PGlite
 * on the same folder and a bare SELECT of the same rows.
 */
export async function benchColdStart(n: number): Promise<Row[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kalphite-bench-'));
  try {
    const seed = await createKalphite({ dataDir });
    seed.store.batch(() => {
      for (const e of comments(n)) seed.store.entities.set(e.id, e);
    });
    await seed.close();

    const runs = n >= 100_000 ? 5 : 7;
    // Closing is outside the timed part for both: each run's instance is closed in teardown.
    const floor = await median({
      runs,
      setup: () => ({ close: async () => {} }),
      run: async (opened) => {
        const db = new PGlite(dataDir);
        opened.close = () => db.close();
        const result = await db.query('SELECT id, type, value FROM entities');
        if (result.rows.length !== n) throw new Error('floor read the wrong number of rows');
      },
      teardown: (opened) => opened.close(),
    });
    const engine = await median({
      runs,
      setup: () => ({ close: async () => {} }),
      run: async (opened) => {
        const kalphite = await createKalphite({ dataDir });
        opened.close = () => kalphite.close();
        if (kalphite.store.entities.size !== n) throw new Error('engine loaded the wrong number of entities');
      },
      teardown: (opened) => opened.close(),
    });
    return [
      {
        figure: 'cold start: open the local db + load into memory',
        n,
        kalphite: ms(engine),
        floor: `${ms(floor)} (open PGlite + SELECT)`,
        ratio: engine / floor,
        target: n >= 100_000 ? '≤ 1.5×, < 1 s' : '≤ 1.5×',
        pass: engine / floor <= 1.5 && (n < 100_000 || engine < 1000),
      },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
