import type { SqlExecutor } from './backend.js';

/**
 * The server's tables, the same SQL on PGlite and PostgreSQL. Prefixed so they can live in an
 * application's own database. Every changed row carries the global version that changed it; deletes
 * are tombstones (`deleted`, value null) so pulls can send them.
 */
const SCHEMA = [
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
  // Why a mutation was acknowledged without being applied, for the writer's next pull. The newest
  // refusals of each client are kept (see REFUSALS_KEPT in core.ts).
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
];

/** Creates what is missing; safe to run from several processes at once (serialised by a lock). */
export async function ensureSchema(tx: SqlExecutor): Promise<void> {
  // Concurrent CREATE IF NOT EXISTS can still collide in PostgreSQL's catalog: take a lock first.
  await tx.query(`SELECT pg_advisory_xact_lock(727274)`);
  for (const statement of SCHEMA) await tx.query(statement);
}
