import type { Transaction } from '@electric-sql/pglite';

/**
 * The local database schema, one entry per version. A database is migrated forward in order, all
 * pending steps in one transaction, each with the new `schema_version`; entries are never edited
 * once released, only appended.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    // Values are \`json\`, not \`jsonb\`: the local db never looks inside them, and json is cheaper to
    // write and to aggregate back into one value on load.
    version: 1,
    description: 'entities, the client_changes outbox and client_state',
    sql: `
      CREATE TABLE entities (
        id    text PRIMARY KEY,
        type  text NOT NULL,
        value json NOT NULL
      );
      CREATE TABLE client_changes (
        id           bigint PRIMARY KEY,
        entity_id    text NOT NULL,
        entity_type  text NOT NULL,
        op           text NOT NULL CHECK (op IN ('upsert', 'delete')),
        data         json,
        created_at   bigint NOT NULL,
        acknowledged boolean NOT NULL DEFAULT false
      );
      CREATE TABLE client_state (
        singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        client_id        text NOT NULL,
        cookie           json,
        schema_version   integer NOT NULL,
        last_mutation_id bigint NOT NULL DEFAULT 0
      );
    `,
  },
  {
    // The value each change replaced, so the devtools' change log can show a before/after diff.
    version: 2,
    description: 'client_changes.before: the value a change replaced',
    sql: `ALTER TABLE client_changes ADD COLUMN before json;`,
  },
  {
    // Tabs of one browser profile share this database: the profile is the client group
    // (client_state.client_id), each tab a client with its own gap-free mutation ids. Rows are
    // pushed in the order they were written (seq), whichever client wrote them.
    version: 3,
    description: 'one client group, many clients: client_changes.client_id and seq, local_clients',
    sql: `
      CREATE TABLE local_clients (
        client_id        text PRIMARY KEY,
        last_mutation_id bigint NOT NULL DEFAULT 0,
        last_batch       bigint NOT NULL DEFAULT 0
      );
      INSERT INTO local_clients (client_id, last_mutation_id) SELECT client_id, last_mutation_id FROM client_state;
      ALTER TABLE client_state DROP COLUMN last_mutation_id;
      ALTER TABLE client_changes ADD COLUMN client_id text;
      UPDATE client_changes SET client_id = (SELECT client_id FROM client_state);
      ALTER TABLE client_changes ALTER COLUMN client_id SET NOT NULL;
      ALTER TABLE client_changes DROP CONSTRAINT client_changes_pkey;
      ALTER TABLE client_changes ADD PRIMARY KEY (client_id, id);
      CREATE SEQUENCE client_changes_seq;
      ALTER TABLE client_changes ADD COLUMN seq bigint;
      -- Before version 3 there was one client, so its mutation ids are the write order.
      UPDATE client_changes SET seq = id;
      SELECT setval('client_changes_seq', coalesce(max(seq), 0) + 1, false) FROM client_changes;
      ALTER TABLE client_changes ALTER COLUMN seq SET DEFAULT nextval('client_changes_seq');
      ALTER TABLE client_changes ALTER COLUMN seq SET NOT NULL;
      CREATE UNIQUE INDEX client_changes_by_seq ON client_changes (seq);
    `,
  },
  {
    // A write the server refused to take (a permanent error) can be given up: it is sent as a
    // discard, so its mutation id is still acknowledged and no later id is from the future.
    version: 4,
    description: "client_changes.op may be 'discard'",
    sql: `
      ALTER TABLE client_changes DROP CONSTRAINT client_changes_op_check;
      ALTER TABLE client_changes ADD CONSTRAINT client_changes_op_check CHECK (op IN ('upsert', 'delete', 'discard'));
    `,
  },
  {
    // The column has held the client group id since version 3, when each tab became a client.
    version: 5,
    description: 'client_state.client_id is named client_group_id',
    sql: `ALTER TABLE client_state RENAME COLUMN client_id TO client_group_id;`,
  },
  {
    // Spaces (SPACES.md): each has its own client group, cookie and mutation ids, and an entity's
    // key is (space, id), so one held aside (its id taken in another space) can wait here. The
    // database's old client group and cookie become the default space's, so a server that knows
    // them still acknowledges the old outbox. Values carry their space, as memory does.
    version: 6,
    description: 'spaces: local_spaces, mutation_ids, space on entities and client_changes; client_changes.refusal',
    sql: `
      CREATE TABLE local_spaces (
        space           text PRIMARY KEY,
        client_group_id text NOT NULL,
        cookie          json,
        writable        boolean,
        -- Raised each time the space is lost: its clients then have new ids on the wire.
        generation      integer NOT NULL DEFAULT 0
      );
      -- Only a database that has synced or written takes its old state into the default space.
      INSERT INTO local_spaces (space, client_group_id, cookie) SELECT 'default', client_group_id, cookie FROM client_state
        WHERE cookie IS NOT NULL OR EXISTS (SELECT 1 FROM client_changes) OR EXISTS (SELECT 1 FROM entities);
      ALTER TABLE client_state DROP COLUMN cookie;
      ALTER TABLE client_state RENAME COLUMN client_group_id TO profile_id;
      ALTER TABLE entities ADD COLUMN space text NOT NULL DEFAULT 'default';
      ALTER TABLE entities ALTER COLUMN space DROP DEFAULT;
      UPDATE entities SET value = (value::jsonb || '{"space":"default"}')::json;
      ALTER TABLE entities DROP CONSTRAINT entities_pkey;
      ALTER TABLE entities ADD PRIMARY KEY (space, id);
      ALTER TABLE client_changes ADD COLUMN space text NOT NULL DEFAULT 'default';
      ALTER TABLE client_changes ALTER COLUMN space DROP DEFAULT;
      UPDATE client_changes SET data = (data::jsonb || '{"space":"default"}')::json WHERE data IS NOT NULL;
      UPDATE client_changes SET before = (before::jsonb || '{"space":"default"}')::json WHERE before IS NOT NULL;
      ALTER TABLE client_changes DROP CONSTRAINT client_changes_pkey;
      ALTER TABLE client_changes ADD PRIMARY KEY (space, client_id, id);
      CREATE TABLE mutation_ids (
        space            text NOT NULL,
        client_id        text NOT NULL,
        last_mutation_id bigint NOT NULL,
        PRIMARY KEY (space, client_id)
      );
      INSERT INTO mutation_ids SELECT 'default', client_id, last_mutation_id FROM local_clients WHERE last_mutation_id > 0;
      ALTER TABLE local_clients DROP COLUMN last_mutation_id;
      -- Why the server refused a change (acknowledged without applying it), for the change log.
      ALTER TABLE client_changes ADD COLUMN refusal text;
    `,
  },
  {
    // Concurrent edits of one entity (a patch names the fields it changed): the fields a local
    // update changed, so the push sends only those and a pull can put them on top of the server's value.
    version: 7,
    description: "client_changes.op may be 'patch', with the fields it changed in client_changes.fields",
    sql: `
      ALTER TABLE client_changes DROP CONSTRAINT client_changes_op_check;
      ALTER TABLE client_changes ADD CONSTRAINT client_changes_op_check CHECK (op IN ('upsert', 'patch', 'delete', 'discard'));
      ALTER TABLE client_changes ADD COLUMN fields json;
      -- Reported once: the server's news that a later patch replaced this change's fields unseen.
      ALTER TABLE client_changes ADD COLUMN overwritten boolean NOT NULL DEFAULT false;
    `,
  },
  {
    // Version skew (the app's schema, not this one): the app's schemaVersion the data was last
    // written under, so a newer app runs its migrate once; and the pulled values that did not fit
    // the app's schema, kept with their issues so a later schema or migration can apply them
    // without a re-pull (the cookie moves past them). A database from before counts as version 0.
    version: 8,
    description: 'client_state.app_schema_version and held_aside: pulled values that failed the app schema',
    sql: `
      ALTER TABLE client_state ADD COLUMN app_schema_version integer NOT NULL DEFAULT 0;
      CREATE TABLE held_aside (
        space          text NOT NULL,
        id             text NOT NULL,
        type           text NOT NULL,
        value          json NOT NULL,
        issues         json NOT NULL,
        -- The app's schemaVersion when it was held: a later migrate starts from it.
        schema_version integer NOT NULL,
        held_at        bigint NOT NULL,
        PRIMARY KEY (space, id)
      );
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * The profile id of the packed new database (`scripts/build-empty-database.ts` migrates it to the
 * latest version at build time, so a first visit runs no DDL): each database made from it takes a
 * new one as it opens.
 */
export const UNCLAIMED_PROFILE_ID = '';

/** Runs one migration and records its version; the first makes the state row, with `profileId` as the profile (the client group of old). */
export async function applyMigration(tx: Pick<Transaction, 'exec' | 'query'>, migration: Migration, profileId: () => string): Promise<void> {
  await tx.exec(migration.sql);
  if (migration.version === 1) await tx.query('INSERT INTO client_state (client_id, schema_version) VALUES ($1, 1)', [profileId()]);
  else await tx.query('UPDATE client_state SET schema_version = $1', [migration.version]);
}
