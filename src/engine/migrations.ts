/**
 * The local database schema, one entry per version. A database is migrated forward in order,
 * each step in its own transaction together with the new `schema_version`; entries are never edited
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
];

export const LATEST_SCHEMA_VERSION = migrations.reduce((max, m) => Math.max(max, m.version), 0);
