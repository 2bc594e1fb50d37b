import type { PGlite, PGliteInterface } from '@electric-sql/pglite';
import type { EmitEvent } from '../engine/events.js';
import { openPGlite } from '../engine/persist/empty-database.js';
import { WITHOUT_LOCAL_DB_TABLES } from '../pglite/index.js';
import { afterAll, afterEach } from 'vitest';

/**
 * Fresh in-memory PGlite databases for tests: the packed database a new `memory://` opens from,
 * without the local db's tables (`emptyCluster`; clones keep the template's extensions), cloned from one template:
 * a clone costs about a third of a fresh `memory://` open. Every clone and the template
 * are closed after the test file (an open PGlite keeps Node alive).
 */
let template: Promise<PGlite> | undefined;

/** Tests run on what the engine ships: a missing packed database (`npm install` makes it) fails them. */
const refuseInitdb: EmitEvent = (event) => {
  throw new Error(`The packed empty database was not used (${event.type === 'db:prebuilt-skipped' ? event.reason : event.type}): run npm install.`);
};
const open: PGliteInterface[] = [];

export async function freshPGlite(): Promise<PGliteInterface> {
  template ??= emptyCluster();
  const db = await (await template).clone();
  open.push(db);
  return db;
}

/**
 * The packed database without the local db's tables (it ships them at the latest version): tests
 * build every older version on it, and a LocalDb opened on it runs every migration.
 */
async function emptyCluster(): Promise<PGlite> {
  const db = await openPGlite('memory://', { emit: refuseInitdb });
  await db.exec(WITHOUT_LOCAL_DB_TABLES);
  return db;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => (db.closed ? undefined : db.close())));
});

afterAll(async () => {
  if (template) await (await template).close();
  template = undefined;
});
