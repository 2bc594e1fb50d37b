import type { SqlExecutor } from './backend.js';

/**
 * The server's tables, the same SQL on PGlite and PostgreSQL, prefixed so they can live in an
 * application's own database. Every changed row carries the version of its space that changed it;
 * deletes are tombstones (`deleted`, value null) so pulls can send them. `space_id` leads every
 * primary key and index: a push or pull touches one space's rows, and the tables can be distributed
 * by it (Citus) or a space's rows kept in a database of their own.
 *
 * The schema is built by numbered migrations, recorded in `kalphite_schema`. A fresh database runs
 * them all, so the path an existing database takes is the one every test takes too.
 */
const MIGRATIONS: readonly (readonly string[])[] = [
  // 1. The tables of the release before spaces (commit ed69ff9), as it created them: one version for
  //    the whole database. A database that release wrote already has them; IF NOT EXISTS skips them.
  [
    `CREATE TABLE IF NOT EXISTS kalphite_version (
       singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
       version   bigint NOT NULL
     )`,
    `INSERT INTO kalphite_version (version) VALUES (0) ON CONFLICT (singleton) DO NOTHING`,
    `CREATE TABLE IF NOT EXISTS kalphite_entities (
       key     text PRIMARY KEY,
       type    text NOT NULL,
       value   jsonb,
       version bigint NOT NULL,
       deleted boolean NOT NULL DEFAULT false
     )`,
    `CREATE INDEX IF NOT EXISTS kalphite_entities_version ON kalphite_entities (version, key)`,
    `CREATE TABLE IF NOT EXISTS kalphite_clients (
       client_id        text PRIMARY KEY,
       client_group_id  text NOT NULL,
       last_mutation_id bigint NOT NULL,
       version          bigint NOT NULL
     )`,
    `CREATE INDEX IF NOT EXISTS kalphite_clients_group ON kalphite_clients (client_group_id, version)`,
    `CREATE TABLE IF NOT EXISTS kalphite_refusals (
       client_id       text NOT NULL,
       mutation_id     bigint NOT NULL,
       client_group_id text NOT NULL,
       entity_key      text,
       reason          text NOT NULL,
       version         bigint NOT NULL,
       PRIMARY KEY (client_id, mutation_id)
     )`,
    `CREATE INDEX IF NOT EXISTS kalphite_refusals_group ON kalphite_refusals (client_group_id, version)`,
  ],
  // 2. Spaces (SPACES.md). What there was becomes the `default` space with the same versions, so
  //    existing clients' cookies and mutation ids stay valid. Stored values name their space, as the
  //    core now stores them. Existing client groups stay unbound: each belongs to the first user who
  //    syncs with it from now on (binding them to 'anonymous' would lock them out once an app signs
  //    users in).
  [
    `CREATE TABLE kalphite_spaces (
       space_id text PRIMARY KEY,
       version  bigint NOT NULL
     )`,
    `INSERT INTO kalphite_spaces (space_id, version) SELECT 'default', version FROM kalphite_version WHERE version > 0`,
    `DROP TABLE kalphite_version`,
    ...withSpace('kalphite_entities', 'key'),
    `UPDATE kalphite_entities SET value = jsonb_set(value, '{space}', '"default"') WHERE value IS NOT NULL`,
    `DROP INDEX kalphite_entities_version`,
    `CREATE INDEX kalphite_entities_version ON kalphite_entities (space_id, version, key)`,
    ...withSpace('kalphite_clients', 'client_id'),
    `DROP INDEX kalphite_clients_group`,
    `CREATE INDEX kalphite_clients_group ON kalphite_clients (space_id, client_group_id, version)`,
    // Why a mutation was acknowledged without being applied, for the writer's next pull. The newest
    // refusals of each client are kept (see NOTES_KEPT in push-write.ts).
    ...withSpace('kalphite_refusals', 'client_id, mutation_id'),
    `DROP INDEX kalphite_refusals_group`,
    `CREATE INDEX kalphite_refusals_group ON kalphite_refusals (space_id, client_group_id, version)`,
    // Whose each client group is (rule 7: knowing a group's id grants nothing).
    `CREATE TABLE kalphite_client_groups (
       space_id        text NOT NULL,
       client_group_id text NOT NULL,
       user_id         text NOT NULL,
       PRIMARY KEY (space_id, client_group_id)
     )`,
  ],
  // 3. Concurrent edits (patches): who last wrote each field of an entity, so a patch that
  //    overwrites a field it had not seen (its `was` differs) tells that writer, in its next pull.
  [
    `ALTER TABLE kalphite_entities ADD COLUMN writers jsonb`,
    `CREATE TABLE kalphite_overwrites (
       space_id        text NOT NULL,
       client_group_id text NOT NULL,
       client_id       text NOT NULL,
       mutation_id     bigint NOT NULL,
       entity_key      text NOT NULL,
       fields          jsonb NOT NULL,
       version         bigint NOT NULL,
       PRIMARY KEY (space_id, client_id, mutation_id, entity_key, version)
     )`,
    `CREATE INDEX kalphite_overwrites_group ON kalphite_overwrites (space_id, client_group_id, version)`,
  ],
  // 4. The divergence drill-down pages through one type's live keys in key order (digest.ts): by the
  //    primary key, each page scanned the space's other types and tombstones too (seconds at 100k).
  //    Built in the migration's transaction, so on PostgreSQL it holds writes to the table meanwhile.
  [`CREATE INDEX kalphite_entities_type ON kalphite_entities (space_id, type, key) WHERE NOT deleted`],
];

/** A `space_id` column leading the table's primary key; existing rows are the default space's. */
function withSpace(table: string, key: string): string[] {
  return [
    `ALTER TABLE ${table} ADD COLUMN space_id text NOT NULL DEFAULT 'default'`,
    `ALTER TABLE ${table} ALTER COLUMN space_id DROP DEFAULT`,
    `ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`,
    `ALTER TABLE ${table} ADD PRIMARY KEY (space_id, ${key})`,
  ];
}

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database was migrated by a newer server than this one: running on it could corrupt it. */
export class SchemaVersionError extends Error {
  override readonly name = 'SchemaVersionError';
  readonly code = 'schema-too-new';
}

/**
 * Brings the tables up to `SCHEMA_VERSION`, in the caller's transaction: all of a migration or none
 * of it. Safe to run from several processes at once: the first takes a lock, the others wait for it
 * and find nothing left to do.
 */
export async function ensureSchema(tx: SqlExecutor): Promise<void> {
  // Concurrent DDL can still collide in PostgreSQL's catalog, and two processes must not both migrate.
  await tx.query(`SELECT pg_advisory_xact_lock(727274)`);
  await tx.query(`CREATE TABLE IF NOT EXISTS kalphite_schema (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   integer NOT NULL
  )`);
  const [row] = await tx.query<{ version: number }>(`SELECT version FROM kalphite_schema`);
  const current = row?.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new SchemaVersionError(`The database's Kalphite tables are at schema version ${current}, newer than this server's ${SCHEMA_VERSION}: run a newer server.`);
  }
  if (current === SCHEMA_VERSION) return;
  for (const migration of MIGRATIONS.slice(current)) for (const statement of migration) await tx.query(statement);
  await tx.query(
    `INSERT INTO kalphite_schema (version) VALUES ($1) ON CONFLICT (singleton) DO UPDATE SET version = excluded.version`,
    [SCHEMA_VERSION],
  );
}
