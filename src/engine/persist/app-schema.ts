import type { Transaction } from '@electric-sql/pglite';
import { entityProblem, type Entity } from '../../protocol/entity.js';
import type { JsonValue } from '../../protocol/json.js';
import { changedFields, withFields } from '../../protocol/patch.js';
import type { SchemaIssue } from '../../protocol/standard-schema.js';
import { KalphiteError } from '../errors.js';
import type { EmitEvent } from '../events.js';

/**
 * The app's migration from one of its schema versions to another (`createKalphite({ migrate })`):
 * given a stored entity written under `fromVersion`, its data under `toVersion`. Synchronous; run
 * once per stored entity and pending outbox value when a newer `schemaVersion` opens the local db.
 */
export type Migrate = (input: { readonly entity: Entity; readonly fromVersion: number; readonly toVersion: number }) => JsonValue;

/** What checking a value against the app's schema says: the value to store (the validator's output), or why it does not fit. */
export type SchemaVerdict = { readonly entity: Entity } | { readonly issues: readonly SchemaIssue[] };

/** The app's schema as the local db applies it to values from outside memory: its version, migration and check. */
export interface AppSchema {
  /** The app's `schemaVersion` (0 when it gives none). */
  readonly version: number;
  readonly migrate: Migrate | null;
  /** Null: no schema, every value fits. */
  readonly verdict: ((entity: Entity) => SchemaVerdict) | null;
}

/** An entity the server sent that does not fit this app's schema: kept in the local db, not in memory. */
export interface HeldAsideEntity {
  readonly space: string;
  readonly id: string;
  readonly type: string;
  /** The value as the server sent it (or as the local db held it, when a migration's output did not fit). */
  readonly value: Entity;
  readonly issues: readonly SchemaIssue[];
  /** The app's schemaVersion when it was held: a later `migrate` starts from it. */
  readonly schemaVersion: number;
  readonly heldAt: number;
}

/** What opening under a newer schemaVersion did, for the `schema:migrated` event. */
export interface MigrationReport {
  readonly from: number;
  readonly to: number;
  readonly entities: number;
  readonly outbox: number;
}

export const NO_APP_SCHEMA: AppSchema = { version: 0, migrate: null, verdict: null };

/**
 * What `migrate` makes of `entity` (`value`: itself when there is nothing to migrate, or when the
 * migration's output cannot be stored), and whether that fits the schema. A throw is the open's failure.
 */
function migrated(app: AppSchema, entity: Entity, fromVersion: number): { readonly value: Entity; readonly verdict: SchemaVerdict } {
  if (app.migrate === null || fromVersion >= app.version) return { value: entity, verdict: app.verdict === null ? { entity } : app.verdict(entity) };
  let data: JsonValue;
  try {
    data = app.migrate({ entity, fromVersion, toVersion: app.version });
  } catch (error) {
    // An app's migration that throws is a bug to fix, not data to lose: nothing changes, the open fails.
    throw new KalphiteError(
      'migration-failed',
      `migrate threw on ${JSON.stringify(entity.id)} (${entity.type}) from schema version ${fromVersion} to ${app.version}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const value: Entity = { ...entity, data };
  const problem = entityProblem(entity.id, value);
  if (problem) return { value: entity, verdict: { issues: [{ path: '', message: `migrate returned data that cannot be stored: ${problem.message}` }] } };
  return { value, verdict: app.verdict === null ? { entity: value } : app.verdict(value) };
}

/**
 * Brings the local db to the app's schemaVersion, in the open's one transaction, before memory
 * loads: every stored entity through `migrate` and the schema (one that no longer fits is held
 * aside, never dropped), and every pending outbox value through `migrate` (a patch's fields
 * recomputed from its migrated values, so the push carries the new shape). Idempotent: the version
 * is recorded in the same transaction. A database written by a newer schemaVersion is left as it is.
 */
export async function migrateToApp(tx: Transaction, app: AppSchema, now: number, emit: EmitEvent): Promise<MigrationReport | null> {
  const { rows } = await tx.query<{ v: number }>('SELECT app_schema_version AS v FROM client_state');
  const from = rows[0]?.v ?? 0;
  if (from >= app.version) return null;
  const { rows: stored } = await tx.query<{ json: string }>(`SELECT coalesce(json_agg(json_build_object('space', space, 'value', value)), '[]')::text AS json FROM entities`);
  const entities = JSON.parse(stored[0]?.json ?? '[]') as { space: string; value: Entity }[];
  const puts: Placed[] = [];
  const held: HeldAsideEntity[] = [];
  for (const { space, value: entity } of entities) {
    const { verdict } = migrated(app, entity, from);
    if ('issues' in verdict) held.push({ space, id: entity.id, type: entity.type, value: entity, issues: verdict.issues, schemaVersion: from, heldAt: now });
    else if (verdict.entity !== entity) puts.push({ space, value: verdict.entity });
  }
  await putEntities(tx, puts);
  await holdAside(tx, held);
  if (held.length > 0) {
    await tx.query('DELETE FROM entities e USING json_to_recordset($1::json) AS h(space text, id text) WHERE e.space = h.space AND e.id = h.id', [
      JSON.stringify(held.map(({ space, id }) => ({ space, id }))),
    ]);
  }
  const outbox = await migrateOutbox(tx, app, from);
  await tx.query('UPDATE client_state SET app_schema_version = $1', [app.version]);
  for (const entity of held) emit({ type: 'schema:held-aside', space: entity.space, id: entity.id, entityType: entity.type, issues: entity.issues, source: 'migration' });
  return { from, to: app.version, entities: puts.length, outbox };
}

/** The pending outbox rows with their values migrated; returns how many changed. */
async function migrateOutbox(tx: Transaction, app: AppSchema, from: number): Promise<number> {
  if (app.migrate === null) return 0;
  const { rows } = await tx.query<{ seq: number; op: string; data: Entity | null; before: Entity | null; fields: string[] | null }>(
    `SELECT seq, op, data, before, fields FROM client_changes WHERE NOT acknowledged AND (data IS NOT NULL OR before IS NOT NULL)`,
  );
  const value = (entity: Entity | null): Entity | null => {
    if (entity === null) return null;
    const { value: next, verdict } = migrated(app, entity, from);
    // A pending value that does not fit is still the user's write: it goes as migrated, and a server with the same schema refuses it (the ledger shows it).
    return 'entity' in verdict ? verdict.entity : next;
  };
  const changed = rows.map((row) => {
    const data = value(row.data);
    const before = value(row.before);
    // A patch pushes the fields its write changed: in the new shape they are those its migrated values differ in.
    const fields = row.op === 'patch' ? changedFields(before ?? undefined, data ?? undefined) : row.fields;
    return { seq: row.seq, op: row.op === 'patch' && fields === null ? 'upsert' : row.op, data, before, fields };
  });
  if (changed.length > 0) {
    await tx.query(
      `UPDATE client_changes c SET op = r.op, data = r.data, before = r.before, fields = r.fields
       FROM json_to_recordset($1::json) AS r(seq bigint, op text, data json, before json, fields json) WHERE c.seq = r.seq`,
      [JSON.stringify(changed)],
    );
  }
  return changed.length;
}

/**
 * Tries every held-aside value again, at each open: as it is first (the server's value may already
 * be in the shape this schema wants), then migrated from the version it was held under. One that
 * fits now goes into the local db (under pending local writes, by the rebase rule) and out of
 * `held_aside`; the others keep their newest issues.
 */
export async function retryHeldAside(tx: Transaction, app: AppSchema, emit: EmitEvent): Promise<number> {
  const held = await heldAsideRows(tx);
  if (held.length === 0) return 0;
  const pending = await pendingWrites(tx);
  const puts: Placed[] = [];
  const released: HeldAsideEntity[] = [];
  const still: { space: string; id: string; issues: readonly SchemaIssue[] }[] = [];
  for (const entity of held) {
    let verdict: SchemaVerdict = app.verdict === null ? { entity: entity.value } : app.verdict(entity.value);
    if ('issues' in verdict && entity.schemaVersion < app.version && app.migrate !== null) verdict = migrated(app, entity.value, entity.schemaVersion).verdict;
    if ('issues' in verdict) {
      still.push({ space: entity.space, id: entity.id, issues: verdict.issues });
      continue;
    }
    released.push(entity);
    const local = pending.get(`${entity.space} ${entity.id}`);
    // A whole local write (a create, a delete) replaces it; the server's answer to that write comes with the next pull.
    if (local === 'whole') continue;
    const value = local === undefined ? verdict.entity : withFields(verdict.entity, local.value, local.fields);
    if (value !== null) puts.push({ space: entity.space, value });
  }
  await putEntities(tx, puts);
  if (released.length > 0) {
    await tx.query('DELETE FROM held_aside h USING json_to_recordset($1::json) AS r(space text, id text) WHERE h.space = r.space AND h.id = r.id', [
      JSON.stringify(released.map(({ space, id }) => ({ space, id }))),
    ]);
  }
  if (still.length > 0) {
    await tx.query('UPDATE held_aside h SET issues = r.issues FROM json_to_recordset($1::json) AS r(space text, id text, issues json) WHERE h.space = r.space AND h.id = r.id', [
      JSON.stringify(still),
    ]);
  }
  for (const entity of released) emit({ type: 'schema:released', space: entity.space, id: entity.id, reason: 'applied' });
  return released.length;
}

/** Stores values that do not fit (replacing an older held value of the same id). */
export async function holdAside(tx: Pick<Transaction, 'query'>, held: readonly HeldAsideEntity[]): Promise<void> {
  if (held.length === 0) return;
  await tx.query(
    `INSERT INTO held_aside (space, id, type, value, issues, schema_version, held_at)
     SELECT space, id, type, value, issues, schema_version, held_at FROM json_to_recordset($1::json)
       AS h(space text, id text, type text, value json, issues json, schema_version integer, held_at bigint)
     ON CONFLICT (space, id) DO UPDATE SET type = excluded.type, value = excluded.value, issues = excluded.issues, schema_version = excluded.schema_version, held_at = excluded.held_at`,
    [JSON.stringify(held.map((h) => ({ space: h.space, id: h.id, type: h.type, value: h.value, issues: h.issues, schema_version: h.schemaVersion, held_at: h.heldAt })))],
  );
}

/** Every held-aside value, oldest first. */
export async function heldAsideRows(db: Pick<Transaction, 'query'>): Promise<HeldAsideEntity[]> {
  const { rows } = await db.query<{ space: string; id: string; type: string; value: Entity; issues: SchemaIssue[]; schema_version: number; held_at: number }>(
    'SELECT space, id, type, value, issues, schema_version, held_at FROM held_aside ORDER BY held_at, space, id',
  );
  return rows.map((row) => ({ space: row.space, id: row.id, type: row.type, value: row.value, issues: row.issues, schemaVersion: row.schema_version, heldAt: Number(row.held_at) }));
}

/** A value and the space it is stored in. */
interface Placed {
  readonly space: string;
  readonly value: Entity;
}

async function putEntities(tx: Pick<Transaction, 'query'>, puts: readonly Placed[]): Promise<void> {
  if (puts.length === 0) return;
  await tx.query(
    `INSERT INTO entities (space, id, type, value)
     SELECT p.space, p.value->>'id', p.value->>'type', p.value FROM json_to_recordset($1::json) AS p(space text, value json)
     ON CONFLICT (space, id) DO UPDATE SET type = excluded.type, value = excluded.value`,
    [JSON.stringify(puts)],
  );
}

/** Per `space id` with unacknowledged outbox rows: `whole` (a create, a delete, a discard), or its patches' fields over the local value. */
async function pendingWrites(tx: Pick<Transaction, 'query'>): Promise<Map<string, 'whole' | { readonly value: Entity; readonly fields: readonly string[] }>> {
  const { rows } = await tx.query<{ key: string; whole: boolean; fields: string[][] | null; value: Entity | null }>(
    `SELECT c.space || ' ' || c.entity_id AS key, bool_or(c.op <> 'patch') AS whole, json_agg(c.fields) FILTER (WHERE c.op = 'patch') AS fields,
       (SELECT e.value FROM entities e WHERE e.space = c.space AND e.id = c.entity_id) AS value
     FROM client_changes c WHERE NOT c.acknowledged GROUP BY c.space, c.entity_id`,
  );
  return new Map(rows.map((row) => [row.key, row.whole || row.value === null ? 'whole' : { value: row.value, fields: [...new Set((row.fields ?? []).flat())] }]));
}
