import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { pgliteOptions } from '../engine/persist/pglite-options.js';
import { afterAll, afterEach } from 'vitest';

/**
 * Fresh in-memory PGlite databases for tests, opened as the engine opens `memory://` (clones keep
 * the template's extensions) and cloned from one initialised template:
 * a clone costs about a third of a fresh `memory://` open. Every clone and the template
 * are closed after the test file (an open PGlite keeps Node alive).
 */
let template: Promise<PGlite> | undefined;
const open: PGliteInterface[] = [];

export async function freshPGlite(): Promise<PGliteInterface> {
  template ??= PGlite.create('memory://', pgliteOptions('memory://'));
  const db = await (await template).clone();
  open.push(db);
  return db;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => (db.closed ? undefined : db.close())));
});

afterAll(async () => {
  if (template) await (await template).close();
  template = undefined;
});
