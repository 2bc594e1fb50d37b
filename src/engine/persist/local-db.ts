import { PGlite, type PGliteInterface, type Transaction } from '@electric-sql/pglite';
import type { Cookie } from '../../protocol/pull.js';
import type { Entity } from '../store/entity.js';
import { KalphiteError, toKalphiteError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import { LATEST_SCHEMA_VERSION, migrations } from './migrations.js';
import { filesInMemory, pgliteOptions } from './pglite-options.js';

/** One persisted write: an upsert carries the entity, a delete carries null. */
export interface FlushOp {
  readonly id: string;
  readonly type: string;
  readonly entity: Entity | null;
  /** What the local db held before this write (null: nothing), kept for the change log. */
  readonly before: Entity | null;
}

/** Server state to apply after a pull, with the client's own mutations rebased on top. */
export interface PullApplication {
  /** Acknowledge each client's outbox rows up to its mutation id first (null: no change). */
  readonly acknowledgeUpTo: Readonly<Record<string, number>> | null;
  /** Server values (undefined: deleted) by entity id. */
  readonly writes: ReadonlyMap<string, Entity | undefined>;
  /** After a `clear`: every entity id the server has. Others are removed (unless pending). */
  readonly keep: ReadonlySet<string> | null;
  /** The cookie to store, or undefined to keep the old one (midway through a paged pull). */
  readonly cookie: Cookie | undefined;
  /** Entities with local changes not yet in the outbox (still in memory or in a flush). */
  readonly pendingInMemory: (id: string) => boolean;
}

export interface PullResult {
  /** What was written to the local db, to mirror in memory (undefined: deleted). */
  readonly applied: Map<string, Entity | undefined>;
  /** Entities left alone because they have unacknowledged local mutations. */
  readonly skipped: ReadonlyMap<string, Entity | undefined>;
}

/** A row of the outbox. Its id is the mutation id: sequential per client, with no gaps. */
export interface OutboxEntry {
  /** The client (tab) that made the change. */
  readonly clientId: string;
  readonly mutationId: number;
  readonly entityId: string;
  readonly entityType: string;
  /** `discard`: a write given up after the server refused to take it (sent so the server skips its id). */
  readonly op: 'upsert' | 'delete' | 'discard';
  readonly entity: Entity | null;
  readonly createdAt: number;
}

/** An outbox row as the change log shows it: the value it replaced, and whether the server has it. */
export interface ChangeLogEntry extends OutboxEntry {
  /** What the local db held before this change (null: nothing). */
  readonly before: Entity | null;
  readonly acknowledged: boolean;
}

export interface LocalDbOptions {
  /** `memory://` (default), `idb://name` in browsers, or a folder path in Node. */
  readonly dataDir?: string;
  /** This engine's client id (a tab); a new random one by default. */
  readonly clientId?: string;
  /** An already-created PGlite to use instead of opening `dataDir`; the caller closes it. */
  readonly pglite?: PGliteInterface;
  readonly randomId: () => string;
  readonly now: () => number;
  readonly emit: EmitEvent;
}

/**
 * Layer 3: PGlite holding the entities, the outbox (`client_changes`), `client_state` and
 * `local_clients`. The database is one client group (a browser profile); every engine that writes
 * through it (a tab) is a client of that group with its own gap-free mutation ids.
 */
export class LocalDb {
  readonly dataDir: string;
  readonly schemaVersion: number;
  #clientGroupId: string;
  #clientId: string;
  /** Clients known to have a `local_clients` row (saves an insert per batch). */
  readonly #knownClients = new Set<string>();
  readonly #db: PGliteInterface;
  readonly #owned: boolean;
  readonly #now: () => number;
  readonly #emit: EmitEvent;
  #lastMutationId: number;
  #outboxLength: number;
  #cookie: Cookie;

  private constructor(db: PGliteInterface, options: LocalDbOptions, dataDir: string, state: ClientStateRow, clientId: string, outboxLength: number) {
    this.#db = db;
    this.#owned = options.pglite === undefined;
    this.#now = options.now;
    this.#emit = options.emit;
    this.dataDir = dataDir;
    this.#clientGroupId = state.client_group_id;
    this.#clientId = clientId;
    this.schemaVersion = state.schema_version;
    this.#lastMutationId = 0;
    this.#outboxLength = outboxLength;
    this.#cookie = state.cookie;
  }

  static async open(options: LocalDbOptions): Promise<LocalDb> {
    const dataDir = options.dataDir ?? 'memory://';
    const owned = options.pglite === undefined;
    const db =
      options.pglite ??
      // Not relaxedDurability: its background IndexedDB sync fails as an uncaught ErrnoError and
      // then stops persisting without telling anyone (electric-sql/pglite#1063). The flusher batches
      // writes, so awaiting one IndexedDB sync per batch is cheap enough.
      new PGlite(dataDir, pgliteOptions(dataDir));
    try {
      await db.waitReady;
      // A flush batch is materialised once and read by every part of its statement: with the default
      // 4 MB a large batch spills to temporary files, which in PGlite are copies in wasm memory.
      await db.exec(`SET work_mem = '64MB'`);
      if (filesInMemory(db)) await db.exec('SET wal_init_zero = off');
      await migrate(db, options);
      const state = await one<ClientStateRow>(db, 'SELECT client_group_id, schema_version, cookie FROM client_state');
      const clientId = options.clientId ?? options.randomId();
      await db.query('INSERT INTO local_clients (client_id) VALUES ($1) ON CONFLICT (client_id) DO NOTHING', [clientId]);
      const { count } = await one<{ count: number }>(db, 'SELECT count(*)::int AS count FROM client_changes WHERE NOT acknowledged');
      const local = new LocalDb(db, options, dataDir, state, clientId, count);
      local.#knownClients.add(clientId);
      local.#lastMutationId = (await one<{ last: number }>(db, 'SELECT last_mutation_id AS last FROM local_clients WHERE client_id = $1', [clientId])).last;
      return local;
    } catch (error) {
      if (owned) await db.close().catch(() => {});
      throw toKalphiteError('db-failed', error);
    }
  }

  /** This engine's client id for sync (one per tab); a new one after `reset`. */
  get clientId(): string {
    return this.#clientId;
  }

  /** The client group: this database (a browser profile), shared by its tabs; a new one after `reset`. */
  get clientGroupId(): string {
    return this.#clientGroupId;
  }

  /** This client's newest mutation id (0 before its first). */
  get lastMutationId(): number {
    return this.#lastMutationId;
  }

  /** Unacknowledged outbox rows, kept current without a query so `inspect()` stays synchronous. */
  get outboxLength(): number {
    return this.#outboxLength;
  }

  /** Every entity, parsed from one JSON value (much faster than row-by-row decoding). */
  async loadEntities(): Promise<Entity[]> {
    const { json } = await one<{ json: string }>(this.#db, `SELECT coalesce(json_agg(value), '[]')::text AS json FROM entities`);
    return JSON.parse(json) as Entity[];
  }

  /**
   * Persists one flush batch and appends one outbox row per op, in a single statement (so a single
   * transaction). The batch is this engine's, or another client's (tab's) numbered `batch`: a batch
   * number not above the last one written for that client was written already (sent again after a
   * leader hand-over), so nothing is written and the result is null. Otherwise the batch's last
   * mutation id. Ids come from `local_clients` inside the statement: a failed batch consumes none,
   * so ids never have gaps (a SERIAL would skip on rollback).
   */
  async writeBatch(ops: readonly FlushOp[], from?: { readonly clientId: string; readonly batch: number }): Promise<number | null> {
    const clientId = from?.clientId ?? this.#clientId;
    if (ops.length === 0) return clientId === this.#clientId ? this.#lastMutationId : null;
    if (!this.#knownClients.has(clientId)) {
      await this.#db.query('INSERT INTO local_clients (client_id) VALUES ($1) ON CONFLICT (client_id) DO NOTHING', [clientId]);
      this.#knownClients.add(clientId);
    }
    const last = await this.#write(ops, clientId, from?.batch ?? null);
    if (last !== null && clientId === this.#clientId) this.#lastMutationId = last;
    return last;
  }

  async #write(ops: readonly FlushOp[], clientId: string, batch: number | null): Promise<number | null> {
    const lines = encodeOps(ops);
    // Everything hangs off `state`: for a batch written already it has no row, and nothing is written.
    const result = await this.#db.query<{ base: number }>(
      `WITH ops AS (
         SELECT ${decodedText('f[1]')} AS id, ${decodedText('f[2]')} AS type, nullif(f[3], '')::json AS value,
           nullif(f[4], '')::json AS before, CASE WHEN f[3] = '' THEN 'delete' ELSE 'upsert' END AS op, o.seq
         FROM string_to_table($1, E'\n') WITH ORDINALITY AS o(line, seq), string_to_array(o.line, E'\t') AS f
       ), state AS (
         UPDATE local_clients SET last_mutation_id = last_mutation_id + $2::bigint, last_batch = coalesce($5::bigint, last_batch)
         WHERE client_id = $4 AND ($5::bigint IS NULL OR last_batch < $5::bigint)
         -- The batch's push order: its seqs reserved from the sequence at once, not drawn row by row.
         RETURNING last_mutation_id - $2::bigint AS base,
           setval('client_changes_seq', nextval('client_changes_seq') + $2::bigint - 1) - $2::bigint AS seq_base
       ), updated AS (
         UPDATE entities SET type = ops.type, value = ops.value
         FROM ops WHERE ops.op = 'upsert' AND entities.id = ops.id AND EXISTS (SELECT 1 FROM state)
       ), inserted AS (
         -- Every part of the statement sees the table as it was before it, so this inserts exactly
         -- the ids the update did not find (an id is in a batch once), without ON CONFLICT's
         -- speculative insertion per row.
         INSERT INTO entities (id, type, value)
         SELECT id, type, value FROM ops
         WHERE op = 'upsert' AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = ops.id) AND EXISTS (SELECT 1 FROM state)
       ), deleted AS (
         DELETE FROM entities USING ops WHERE ops.op = 'delete' AND entities.id = ops.id AND EXISTS (SELECT 1 FROM state)
       ), logged AS (
         INSERT INTO client_changes (client_id, id, seq, entity_id, entity_type, op, data, before, created_at)
         SELECT $4, state.base + ops.seq, state.seq_base + ops.seq, ops.id, ops.type, ops.op, ops.value, ops.before, $3::bigint FROM ops CROSS JOIN state
       )
       SELECT base FROM state`,
      [lines, ops.length, this.#now(), clientId, batch],
    );
    const row = result.rows[0];
    if (row === undefined) return null;
    this.#outboxLength += ops.length;
    return row.base + ops.length;
  }

  /** The server version this client last pulled up to (null: never). */
  get cookie(): Cookie {
    return this.#cookie;
  }

  /**
   * Applies one pull in one transaction: acknowledge the outbox, then write server values for
   * every entity without unacknowledged local mutations (those keep the local value until the
   * server acknowledges them), then store the cookie.
   */
  async applyPull(input: PullApplication): Promise<PullResult> {
    const result = await this.#db.transaction(async (tx) => {
      if (input.acknowledgeUpTo !== null) await acknowledgeRows(tx, input.acknowledgeUpTo);
      const unacked = await tx.query<{ entity_id: string }>('SELECT DISTINCT entity_id FROM client_changes WHERE NOT acknowledged');
      const outboxKeys = new Set(unacked.rows.map((r) => r.entity_id));
      const pending = (id: string) => outboxKeys.has(id) || input.pendingInMemory(id);

      const applied = new Map<string, Entity | undefined>();
      const skipped = new Map<string, Entity | undefined>();
      for (const [id, value] of input.writes) (pending(id) ? skipped : applied).set(id, value);
      if (input.keep) {
        const present = await tx.query<{ id: string }>('SELECT id FROM entities');
        for (const { id } of present.rows) {
          if (input.keep.has(id) || applied.has(id)) continue;
          if (pending(id)) skipped.set(id, undefined);
          else applied.set(id, undefined);
        }
      }
      const puts: Entity[] = [];
      const deletes: string[] = [];
      for (const [id, value] of applied) {
        if (value) puts.push(value);
        else deletes.push(id);
      }
      if (puts.length > 0) {
        await tx.query(
          `INSERT INTO entities (id, type, value)
           SELECT value->>'id', value->>'type', value FROM json_array_elements($1::json) AS value
           ON CONFLICT (id) DO UPDATE SET type = excluded.type, value = excluded.value`,
          [JSON.stringify(puts)],
        );
      }
      if (deletes.length > 0) {
        await tx.query('DELETE FROM entities WHERE id IN (SELECT json_array_elements_text($1::json))', [JSON.stringify(deletes)]);
      }
      if (input.cookie !== undefined) await tx.query('UPDATE client_state SET cookie = $1::json', [JSON.stringify(input.cookie)]);
      const { count } = await one<{ count: number }>(tx, 'SELECT count(*)::int AS count FROM client_changes WHERE NOT acknowledged');
      return { applied, skipped, outboxLength: count };
    });
    this.#outboxLength = result.outboxLength;
    if (input.cookie !== undefined) this.#cookie = input.cookie;
    if (input.acknowledgeUpTo !== null) this.#reportAcknowledged(input.acknowledgeUpTo, result.outboxLength);
    return { applied: result.applied, skipped: result.skipped };
  }

  /**
   * Turns the first `count` unacknowledged rows (in push order) into discards: they keep their
   * mutation ids, so the server acknowledges them without applying them. Returns how many changed.
   */
  async discardUnacknowledged(count: number): Promise<number> {
    const result = await this.#db.query(
      `UPDATE client_changes SET op = 'discard', data = NULL
       WHERE seq IN (SELECT seq FROM client_changes WHERE NOT acknowledged ORDER BY seq LIMIT $1)`,
      [count],
    );
    return result.affectedRows ?? 0;
  }

  /** Unacknowledged outbox rows in mutation-id order. */
  async unsyncedChanges(limit = 1000): Promise<OutboxEntry[]> {
    const result = await this.#db.query<OutboxRow>(
      `SELECT client_id, id, entity_id, entity_type, op, data, created_at FROM client_changes
       WHERE NOT acknowledged ORDER BY seq LIMIT $1`,
      [limit],
    );
    return result.rows.map(toOutboxEntry);
  }

  #reportAcknowledged(upTo: Readonly<Record<string, number>>, remaining: number): void {
    this.#emit({ type: 'outbox:acknowledged', upTo: upTo[this.#clientId] ?? null, byClient: upTo, remaining });
  }

  /** The newest outbox rows, acknowledged or not (as many as compaction kept), newest first. */
  async changeLog(limit: number): Promise<ChangeLogEntry[]> {
    const result = await this.#db.query<OutboxRow & { before: Entity | null; acknowledged: boolean }>(
      `SELECT client_id, id, entity_id, entity_type, op, data, before, created_at, acknowledged FROM client_changes ORDER BY seq DESC LIMIT $1`,
      [limit],
    );
    return result.rows.map((row) => ({ ...toOutboxEntry(row), before: row.before, acknowledged: row.acknowledged }));
  }

  /**
   * Empties the local db (entities, outbox, cookie) under a new client group and client, in one
   * transaction: a fresh client whose mutation ids start again at 1, so the server never sees a gap.
   */
  async reset(clientGroupId: string, clientId: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.exec('TRUNCATE entities, client_changes, local_clients');
      await tx.query('UPDATE client_state SET client_group_id = $1, cookie = NULL', [clientGroupId]);
      await tx.query('INSERT INTO local_clients (client_id) VALUES ($1)', [clientId]);
    });
    this.#clientGroupId = clientGroupId;
    this.#clientId = clientId;
    this.#knownClients.clear();
    this.#knownClients.add(clientId);
    this.#cookie = null;
    this.#lastMutationId = 0;
    this.#outboxLength = 0;
  }

  /** Deletes acknowledged rows but the newest `keep` (kept for the devtools' change log); returns how many. */
  async compact(keep = 0): Promise<number> {
    const result = await this.#db.query(
      `DELETE FROM client_changes WHERE acknowledged AND seq <= (SELECT coalesce(max(seq), 0) FROM client_changes WHERE acknowledged) - $1`,
      [keep],
    );
    const removed = result.affectedRows ?? 0;
    // Every acknowledging pull compacts; only a compaction that removed rows is news.
    if (removed > 0) this.#emit({ type: 'outbox:compacted', removed });
    return removed;
  }

  async close(): Promise<void> {
    if (this.#owned && !this.#db.closed) await this.#db.close();
  }

}

interface ClientStateRow {
  client_group_id: string;
  cookie: Cookie;
  schema_version: number;
}

interface OutboxRow {
  client_id: string;
  id: number;
  entity_id: string;
  entity_type: string;
  op: OutboxEntry['op'];
  data: Entity | null;
  created_at: number;
}

function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return { clientId: row.client_id, mutationId: row.id, entityId: row.entity_id, entityType: row.entity_type, op: row.op, entity: row.data, createdAt: row.created_at };
}

function acknowledgeRows(db: Queryable, upTo: Readonly<Record<string, number>>): Promise<unknown> {
  return db.query(
    `UPDATE client_changes c SET acknowledged = true FROM json_each_text($1::json) AS a(client_id, up_to)
     WHERE c.client_id = a.client_id AND c.id <= a.up_to::bigint AND NOT c.acknowledged`,
    [JSON.stringify(upTo)],
  );
}

type Queryable = Pick<PGliteInterface, 'query'> | Transaction;

async function one<T>(db: Queryable, sql: string, params?: unknown[]): Promise<T> {
  const result = await db.query<T>(sql, params);
  const row = result.rows[0];
  if (row === undefined) throw new KalphiteError('db-failed', `Expected a row from: ${sql.split('\n')[0]}`);
  return row;
}

async function migrate(db: PGliteInterface, options: LocalDbOptions): Promise<void> {
  const { present } = await one<{ present: boolean }>(db, `SELECT to_regclass('client_state') IS NOT NULL AS present`);
  const current = present ? (await one<{ v: number }>(db, 'SELECT schema_version AS v FROM client_state')).v : 0;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new KalphiteError(
      'migration-failed',
      `The local database has schema version ${current}, newer than this Kalphite (${LATEST_SCHEMA_VERSION}). Upgrade Kalphite or use another dataDir.`,
    );
  }
  let at = current;
  for (const migration of migrations) {
    if (migration.version <= at) continue;
    try {
      await db.transaction(async (tx) => {
        await tx.exec(migration.sql);
        // The first migration makes the state row (with a new client group id); later ones advance it.
        if (migration.version === 1) await tx.query('INSERT INTO client_state (client_id, schema_version) VALUES ($1, 1)', [options.randomId()]);
        else await tx.query('UPDATE client_state SET schema_version = $1', [migration.version]);
      });
    } catch (error) {
      throw new KalphiteError('migration-failed', `Migration ${migration.version} (${migration.description}) failed: ${toKalphiteError('db-failed', error).message}`, { cause: error });
    }
    options.emit({ type: 'db:migrated', from: at, to: migration.version, description: migration.description });
    at = migration.version;
  }
}

/**
 * A batch as one text parameter: a line per op, tab-separated id, type, value and before (empty:
 * none). Parsing one JSON document of the whole batch (json_to_recordset) cost PostgreSQL more than
 * writing the rows; splitting lines costs almost nothing, and each value is still checked as JSON.
 * JSON never holds a raw tab or newline; an id or type that does, or starts with a quote, is sent as
 * a JSON string instead, and so is one holding a surrogate: the store refuses lone ones, but one that
 * got here would reach the wire as U+FFFD unless escaped, and PostgreSQL then refuses it loudly.
 */
function encodeOps(ops: readonly FlushOp[]): string {
  let text = '';
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k] as FlushOp;
    if (k > 0) text += '\n';
    text += `${encodeText(op.id)}\t${encodeText(op.type)}\t${op.entity ? JSON.stringify(op.entity) : ''}\t${op.before ? JSON.stringify(op.before) : ''}`;
  }
  return text;
}

const NEEDS_QUOTING = /^"|[\t\n\ud800-\udfff]/;
const encodeText = (value: string): string => (NEEDS_QUOTING.test(value) ? JSON.stringify(value) : value);
/** SQL reading a field written by `encodeText`. */
const decodedText = (field: string): string => `CASE WHEN left(${field}, 1) = '"' THEN ${field}::json #>> '{}' ELSE ${field} END`;
