// Packs the new database a first open starts from (src/pglite/packed-database.ts): a
// PostgreSQL cluster with the local db's tables at the latest schema version and no rows, so a first
// visit runs neither initdb nor the migrations' DDL. Run by `npm install` (prepare) and `npm run build`,
// which copies it into dist; made from the PGlite this package depends on, never committed.
import { PGlite } from '@electric-sql/pglite';
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigration, migrations, UNCLAIMED_PROFILE_ID } from '../src/engine/persist/migrations.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const packed = join(repo, 'src/pglite/packed-database.tar.gz');

async function pack(): Promise<void> {
  // 1 MB WAL segments, not 16: IndexedDB keeps whole files, so each commit on `idb://` copied the
  // current 16 MB segment into it (about 0.2 s a commit in Chromium here). Without recycling, initdb
  // leaves no used segments renamed ahead for later, which the pack would carry (6 MB of them).
  const db = await PGlite.create('memory://', { initDbStartParams: ['--wal-segsize=1', '--set=wal_recycle=off'] });
  // The local db only uses the `postgres` database; the two templates serve CREATE DATABASE, which
  // it never runs, and are two thirds of the cluster (4.5 → 1 MB gzip without them and the WAL).
  await db.exec(`UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')`);
  await db.exec('DROP DATABASE template0');
  await db.exec('DROP DATABASE template1');
  // The migrations as a database opened by this Kalphite would run them (0.3–0.5 s of DDL in a
  // browser's worker, and as much again writing the catalogs it changed), its profile left for the
  // first open to claim. Version 2 records the profile as a client: not a client of any database.
  await db.transaction(async (tx) => {
    for (const migration of migrations) await applyMigration(tx, migration, () => UNCLAIMED_PROFILE_ID);
    await tx.exec('DELETE FROM local_clients');
  });
  // initdb's WAL is history a new database does not need: start a fresh segment, delete the old one.
  await db.exec('SELECT pg_switch_wal()');
  await db.exec('CHECKPOINT');
  const tarball = await db.dumpDataDir('gzip');
  await db.close();
  writeFileSync(packed, new Uint8Array(await tarball.arrayBuffer()));
  console.log(`empty database packed: ${(tarball.size / 1024).toFixed(0)} KiB`);
}

// Packed again only when missing, or older than the PGlite that reads it, the migrations or this script.
const made = existsSync(packed) ? statSync(packed).mtimeMs : 0;
const inputs = [
  fileURLToPath(import.meta.url),
  join(repo, 'src/engine/persist/migrations.ts'),
  join(repo, 'node_modules/@electric-sql/pglite/package.json'),
];
if (inputs.some((input) => statSync(input).mtimeMs > made)) await pack();

for (const folder of process.argv.slice(2)) {
  const copy = join(repo, folder, 'src/pglite/packed-database.tar.gz');
  mkdirSync(dirname(copy), { recursive: true });
  copyFileSync(packed, copy);
}
