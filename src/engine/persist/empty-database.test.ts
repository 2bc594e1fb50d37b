import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import type { KalphiteEvent } from '../events.js';
import { openPGlite } from './empty-database.js';

const opened: PGlite[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

async function open(dataDir: string, options: Partial<Parameters<typeof openPGlite>[1]> = {}) {
  const events: KalphiteEvent[] = [];
  const db = await openPGlite(dataDir, { emit: (event) => events.push({ ...event, at: 0 } as KalphiteEvent), ...options });
  opened.push(db);
  const databases = (await db.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname')).rows.map((row) => row.datname);
  return { db, events, databases };
}

describe('openPGlite', () => {
  it('starts a new database from the packed empty one, without initdb (its templates are not there)', async () => {
    const { events, databases } = await open('memory://');
    expect(events).toEqual([]);
    expect(databases).toEqual(['postgres']);
  });

  it('runs initdb and says why when the packed database cannot be read', async () => {
    const { db, events, databases } = await open('memory://', { loadEmpty: () => Promise.reject(new Error('404')) });
    expect(events).toEqual([{ type: 'db:prebuilt-skipped', at: 0, reason: 'The packed empty database could not be read: 404' }]);
    expect(databases).toEqual(['postgres', 'template0', 'template1']);
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('runs initdb and says why when PGlite refuses what it read', async () => {
    const { events, databases } = await open('memory://', { loadEmpty: async () => new Blob([new Uint8Array([1, 2, 3])]) });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'db:prebuilt-skipped', reason: expect.stringContaining('PGlite refused the packed empty database') });
    expect(databases).toEqual(['postgres', 'template0', 'template1']);
  });

  it('reopens a folder that holds a database as it is, and starts a new one from the packed database', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kalphite-empty-db-'));
    try {
      const first = await open(folder);
      expect(first.databases).toEqual(['postgres']);
      await first.db.exec('CREATE TABLE kept (id int)');
      await first.db.close();
      opened.splice(opened.indexOf(first.db), 1);
      const second = await open(folder, { loadEmpty: () => Promise.reject(new Error('not asked for an existing database')) });
      expect(second.events).toEqual([]);
      expect((await second.db.query(`SELECT to_regclass('kept') IS NOT NULL AS kept`)).rows).toEqual([{ kept: true }]);
    } finally {
      await Promise.all(opened.splice(0).map((db) => db.close()));
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
