import type { PGliteInterface, Results, Transaction } from '@electric-sql/pglite';
import { jsonEqual } from '../../protocol/json.js';
import { isFieldMap, withFields } from '../../protocol/patch.js';
import type { Cookie } from '../../protocol/pull.js';
import { DEFAULT_SPACE } from '../../protocol/space.js';
import type { Entity } from '../store/entity.js';
import { KalphiteError, toKalphiteError } from '../errors.js';
import type { EmitEvent, OverwrittenWrite } from '../events.js';
import { heldAsideRows, holdAside, migrateToApp, NO_APP_SCHEMA, retryHeldAside, type AppSchema, type HeldAsideEntity } from './app-schema.js';
import { applyMigration, LATEST_SCHEMA_VERSION, migrations, UNCLAIMED_PROFILE_ID } from './migrations.js';
import { opSpace, type FlushOp } from './flush-op.js';
import { openDatabase, OPS_BETWEEN_PAUSES, pauseFor } from './worker/index.js';
import { filesInMemory } from './pglite-options.js';
import { LocalDbWorkerClient } from './worker/worker-client.js';

export { opSpace, type FlushOp } from './flush-op.js';

/** One space as the local db keeps it: its own client group on the wire, cookie and writability. */
export interface LocalSpace {
  readonly space: string;
  readonly clientGroupId: string;
  /** The server version this space was last pulled up to (null: never, or forgotten). */
  readonly cookie: Cookie;
  /** What the server said in its last pull (null: not yet known). */
  readonly writable: boolean | null;
  /**
   * How many times read access to it was lost. Each loss starts a new client group whose clients
   * have new ids on the wire (`sync/wire-clients.ts`): the server still holds the old ones' mutation
   * ids, and the writes given up consumed some.
   */
  readonly generation: number;
}

/** Server state to apply after a pull of one space, with the client's own mutations rebased on top. */
export interface PullApplication {
  readonly space: string;
  /** Acknowledge each client's outbox rows up to its mutation id first (null: no change). */
  readonly acknowledgeUpTo: Readonly<Record<string, number>> | null;
  /** Server values (undefined: deleted) by entity id. */
  readonly writes: ReadonlyMap<string, Entity | undefined>;
  /** After a `clear`: every entity id the server has. Others are removed (unless pending). */
  readonly keep: ReadonlySet<string> | null;
  /** The cookie to store, or undefined to keep the old one (midway through a paged pull). */
  readonly cookie: Cookie | undefined;
  /** Entities with local changes not yet in the outbox (still in memory or in a flush): memory rebases them itself, and the ledger waits for them. */
  readonly pendingInMemory: (id: string) => boolean;
  /** What the server says of the caller's right to write here (undefined: it did not say). */
  readonly writable?: boolean;
  /** Changes the server acknowledged without applying them, with why: the change log keeps the reason. */
  readonly refused?: readonly { readonly clientId: string; readonly mutationId: number; readonly reason: string }[];
  /** Changes whose fields a later patch replaced without having seen them (the server tells their writer). */
  readonly overwrittenBy?: readonly { readonly clientId: string; readonly mutationId: number; readonly key: string; readonly fields: readonly string[] }[];
}

export interface PullResult {
  /** What was written to the local db, to mirror in memory (undefined: deleted). */
  readonly applied: Map<string, Entity | undefined>;
  /**
   * Entities left at their local value because an unacknowledged local write replaces them whole
   * (a create or a delete). Those with unacknowledged patches are in `applied`, the patches on top.
   */
  readonly skipped: ReadonlyMap<string, Entity | undefined>;
  /** Local writes the server's value replaced (refused, overwritten before this client saw them confirmed, or deleted). */
  readonly overwritten: readonly OverwrittenWrite[];
  /** The refusals that were news: of outbox rows this pull acknowledged (a pull from no cookie repeats older ones). */
  readonly newlyRefused: ReadonlySet<string>;
  /** Server values that do not fit the app's schema: kept in `held_aside`, not applied (memory keeps what it had). */
  readonly heldAside: readonly HeldAsideEntity[];
  /** Ids of held-aside values this pull replaced: a value that fits (or a delete) came from the server. */
  readonly released: readonly string[];
}

/** How `newlyRefused` names a refusal: its client and mutation id. */
export const refusalKey = (clientId: string, mutationId: number): string => `${clientId} ${mutationId}`;

/** A row of the outbox. Its id is the mutation id: sequential per client, with no gaps. */
export interface OutboxEntry {
  readonly space: string;
  /** The client (tab) that made the change. */
  readonly clientId: string;
  readonly mutationId: number;
  readonly entityId: string;
  readonly entityType: string;
  /**
   * `patch`: an update of the fields in `fields` (the entity holds the whole new value).
   * `discard`: a write given up after the server refused to take it (sent so the server skips its id).
   */
  readonly op: 'upsert' | 'patch' | 'delete' | 'discard';
  readonly entity: Entity | null;
  /** A patch's fields; null for the other ops. */
  readonly fields: readonly string[] | null;
  /** What the local db held before this change (null: nothing): a patch's fields started from it. */
  readonly before: Entity | null;
  readonly createdAt: number;
}

/** An outbox row as the change log shows it: the value it replaced, and whether the server has it. */
export interface ChangeLogEntry extends OutboxEntry {
  readonly acknowledged: boolean;
  /** Why the server refused it (acknowledged without applying it); null when it was applied or is not acknowledged yet. */
  readonly refusal: string | null;
}

export interface LocalDbOptions {
  /** `memory://` (default), `idb://name` in browsers, or a folder path in Node. */
  readonly dataDir?: string;
  /** This engine's client id (a tab); a new random one by default. */
  readonly clientId?: string;
  /** An already-created PGlite to use instead of opening `dataDir`; the caller closes it. */
  readonly pglite?: PGliteInterface;
  /** Starts the worker an `idb://` database runs in (absent: Kalphite's, where `Worker` exists; null: in this thread). */
  readonly startWorker?: (() => Worker) | null;
  readonly randomId: () => string;
  readonly now: () => number;
  readonly emit: EmitEvent;
  /** The app's schemaVersion, migrate and schema (default: version 0, none): values from outside memory are checked by it. */
  readonly appSchema?: AppSchema;
}

/**
 * Layer 3: PGlite holding the entities, the outbox (`client_changes`), `client_state`,
 * `local_clients`, `local_spaces` and `mutation_ids`. The database is one browser profile; every
 * engine that writes through it (a tab) is a client. On the wire each (profile, space) pair is one
 * client group, with its own cookie, and each client has gap-free mutation ids per space.
 */
export class LocalDb {
  readonly dataDir: string;
  readonly schemaVersion: number;
  #profileId: string;
  #clientId: string;
  readonly #spaces = new Map<string, LocalSpace>();
  /** Unacknowledged outbox rows per space, kept current without a query. */
  #unacknowledged = new Map<string, number>();
  /** Clients known to have a `local_clients` row (saves an insert per batch). */
  readonly #knownClients = new Set<string>();
  readonly #db: PGliteInterface;
  readonly #owned: boolean;
  readonly #now: () => number;
  readonly #emit: EmitEvent;
  readonly #randomId: () => string;
  readonly #app: AppSchema;
  /** Awaited between chunks of a batch's encoding and between pages of the load (null: in one go). */
  readonly #pause: (() => Promise<void>) | null;
  /** A query whose rows cross from a worker as one structured clone (in this thread: a query). */
  readonly #direct: <T>(sql: string, params: unknown[]) => Promise<Results<T>>;

  private constructor(db: PGliteInterface, options: LocalDbOptions, dataDir: string, state: ClientStateRow, clientId: string) {
    this.#db = db;
    this.#owned = options.pglite === undefined;
    this.#now = options.now;
    this.#emit = options.emit;
    this.#randomId = options.randomId;
    this.#app = options.appSchema ?? NO_APP_SCHEMA;
    this.#pause = pauseFor(db);
    this.#direct = db instanceof LocalDbWorkerClient ? (sql, params) => db.queryDirect(sql, params) : (sql, params) => db.query(sql, params);
    this.dataDir = dataDir;
    this.#profileId = state.profile_id;
    this.#clientId = clientId;
    this.schemaVersion = state.schema_version;
  }

  static async open(options: LocalDbOptions): Promise<LocalDb> {
    const dataDir = options.dataDir ?? 'memory://';
    const owned = options.pglite === undefined;
    const db =
      options.pglite ??
      // Not relaxedDurability: its background IndexedDB sync fails as an uncaught ErrnoError and
      // then stops persisting without telling anyone (electric-sql/pglite#1063). The flusher batches
      // writes, so awaiting one IndexedDB sync per batch is cheap enough.
      (await openDatabase(dataDir, { emit: options.emit, ...(options.startWorker !== undefined && { startWorker: options.startWorker }) }).catch((error: unknown): never => {
        throw toKalphiteError('db-failed', error);
      }));
    try {
      await db.waitReady;
      // A flush batch is materialised once and read by every part of its statement: with the default
      // 4 MB a large batch spills to temporary files, which in PGlite are copies in wasm memory.
      await db.exec(`SET work_mem = '64MB'`);
      if (filesInMemory(db)) await db.exec('SET wal_init_zero = off');
      await migrate(db, options);
      await migrateData(db, options);
      const state = await one<ClientStateRow>(db, 'SELECT profile_id, schema_version FROM client_state');
      const clientId = options.clientId ?? options.randomId();
      await db.query('INSERT INTO local_clients (client_id) VALUES ($1) ON CONFLICT (client_id) DO NOTHING', [clientId]);
      const local = new LocalDb(db, options, dataDir, state, clientId);
      local.#knownClients.add(clientId);
      const spaces = await db.query<SpaceRow>('SELECT space, client_group_id, cookie, writable, generation FROM local_spaces');
      for (const row of spaces.rows) local.#spaces.set(row.space, toLocalSpace(row));
      local.#unacknowledged = await countUnacknowledged(db);
      return local;
    } catch (error) {
      if (owned) await db.close().catch(() => {});
      throw toKalphiteError('db-failed', error);
    }
  }

  /** The app's schemaVersion this database is written under (sent with every pull). */
  get appSchemaVersion(): number {
    return this.#app.version;
  }

  /** The server values held aside because they do not fit the app's schema, oldest first. */
  heldAside(): Promise<HeldAsideEntity[]> {
    return heldAsideRows(this.#db);
  }

  /** This engine's client id for sync (one per tab); a new one after `reset`. */
  get clientId(): string {
    return this.#clientId;
  }

  /**
   * This database (a browser profile), shared by its tabs; a new one after `reset`. It is also the
   * default space's client group, as it was the only one before spaces.
   */
  get profileId(): string {
    return this.#profileId;
  }

  /** Unacknowledged outbox rows, kept current without a query so `inspect()` stays synchronous. */
  get outboxLength(): number {
    let total = 0;
    for (const count of this.#unacknowledged.values()) total += count;
    return total;
  }

  /** Unacknowledged outbox rows of one space. */
  unacknowledgedIn(space: string): number {
    return this.#unacknowledged.get(space) ?? 0;
  }

  /** Every space this database knows (opened once, or written to), with its sync state. */
  get spaces(): ReadonlyMap<string, LocalSpace> {
    return this.#spaces;
  }

  /** The space's state, made on first use with a client group of its own. */
  async ensureSpace(space: string): Promise<LocalSpace> {
    const known = this.#spaces.get(space);
    if (known) return known;
    const clientGroupId = space === DEFAULT_SPACE ? this.#profileId : this.#randomId();
    const { rows } = await this.#db.query<SpaceRow>(
      `INSERT INTO local_spaces (space, client_group_id) VALUES ($1, $2)
       ON CONFLICT (space) DO UPDATE SET space = excluded.space RETURNING space, client_group_id, cookie, writable, generation`,
      [space, clientGroupId],
    );
    const made = toLocalSpace(rows[0] as SpaceRow);
    this.#spaces.set(space, made);
    return made;
  }

  /** Records what the server says of the caller's right to write to `space`. */
  async setWritable(space: string, writable: boolean): Promise<void> {
    const known = this.#spaces.get(space);
    if (!known || known.writable === writable) return;
    await this.#db.query('UPDATE local_spaces SET writable = $1 WHERE space = $2', [writable, space]);
    this.#spaces.set(space, { ...known, writable });
  }

  /**
   * The entities of these spaces, each page parsed from one JSON value (much faster than row-by-row
   * decoding). In this thread: one page, as PGlite's SQL blocks it anyway. With the db in a worker:
   * pages of `LOAD_PAGE_ROWS` in key order, each a direct query (its text crosses as one structured
   * clone: a string copies cheaply, and parsing it costs no more than cloning the parsed rows would),
   * with a pause between them, so parsing 100,000 entities never blocks the page at a stretch.
   */
  async loadEntities(spaces: readonly string[], { pageRows = this.#pause ? LOAD_PAGE_ROWS : null }: { readonly pageRows?: number | null } = {}): Promise<Entity[]> {
    const inSpaces = JSON.stringify(spaces);
    if (pageRows === null) {
      const { json } = await one<{ json: string }>(
        this.#db,
        `SELECT coalesce(json_agg(value), '[]')::text AS json FROM entities WHERE space IN (SELECT json_array_elements_text($1::json))`,
        [inSpaces],
      );
      return JSON.parse(json) as Entity[];
    }
    const entities: Entity[] = [];
    let after: { readonly space: string; readonly id: string } | null = null;
    for (;;) {
      if (after !== null && this.#pause) await this.#pause();
      const params: unknown[] = after === null ? [inSpaces, pageRows] : [inSpaces, pageRows, after.space, after.id];
      const { rows } = await this.#direct<LoadPage>(after === null ? FIRST_PAGE : NEXT_PAGE, params);
      const page = rows[0] as LoadPage;
      for (const entity of JSON.parse(page.json) as Entity[]) entities.push(entity);
      if (page.n < pageRows || page.last_space === null || page.last_id === null) return entities;
      after = { space: page.last_space, id: page.last_id };
    }
  }

  /**
   * Closing a space with `forget`: its entities go, and its cookie, so opening it again pulls it
   * whole. Its unacknowledged writes stay, to be pushed.
   */
  async forgetSpace(space: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query('DELETE FROM entities WHERE space = $1', [space]);
      await tx.query('DELETE FROM held_aside WHERE space = $1', [space]);
      await tx.query('UPDATE local_spaces SET cookie = NULL WHERE space = $1', [space]);
    });
    const known = this.#spaces.get(space);
    if (known) this.#spaces.set(space, { ...known, cookie: null });
  }

  /**
   * Read access to `space` was lost: its entities, outbox and mutation ids go, and it starts again
   * as a new client group of the next generation (new client ids on the wire), so reopening it
   * later neither reuses an id the server holds nor leaves a gap. Returns the unacknowledged writes
   * given up, for the engine to report as refused.
   */
  async dropSpace(space: string): Promise<OutboxEntry[]> {
    const clientGroupId = this.#randomId();
    const { dropped, row } = await this.#db.transaction(async (tx) => {
      const rows = await tx.query<OutboxRow>(
        `SELECT space, client_id, id, entity_id, entity_type, op, data, fields, before, created_at FROM client_changes WHERE space = $1 AND NOT acknowledged ORDER BY seq`,
        [space],
      );
      for (const table of ['entities', 'held_aside', 'client_changes', 'mutation_ids']) await tx.query(`DELETE FROM ${table} WHERE space = $1`, [space]);
      const next = await tx.query<SpaceRow>(
        `INSERT INTO local_spaces (space, client_group_id, generation) VALUES ($1, $2, 1)
         ON CONFLICT (space) DO UPDATE SET client_group_id = excluded.client_group_id, cookie = NULL, writable = NULL, generation = local_spaces.generation + 1
         RETURNING space, client_group_id, cookie, writable, generation`,
        [space, clientGroupId],
      );
      return { dropped: rows.rows.map(toOutboxEntry), row: next.rows[0] as SpaceRow };
    });
    this.#spaces.set(space, toLocalSpace(row));
    this.#unacknowledged.delete(space);
    return dropped;
  }

  /**
   * Persists one flush batch and appends one outbox row per op, in a single statement (so a single
   * transaction). The batch is this engine's, or another client's (tab's) numbered `batch`: a batch
   * number not above the last one written for that client was written already (sent again after a
   * leader hand-over), so nothing is written and the result is null. Otherwise each op's mutation
   * id (in its space). Ids come from `mutation_ids` inside the statement: a failed batch consumes
   * none, so ids never have gaps (a SERIAL would skip on rollback).
   */
  async writeBatch(ops: readonly FlushOp[], from?: { readonly clientId: string; readonly batch: number }): Promise<number[] | null> {
    const clientId = from?.clientId ?? this.#clientId;
    if (ops.length === 0) return clientId === this.#clientId ? [] : null;
    if (!this.#knownClients.has(clientId)) {
      await this.#db.query('INSERT INTO local_clients (client_id) VALUES ($1) ON CONFLICT (client_id) DO NOTHING', [clientId]);
      this.#knownClients.add(clientId);
    }
    const { lines, spaces, ranks, counts } = await encodeOps(ops, this.#pause);
    for (const space of counts.keys()) await this.ensureSpace(space);
    const bases = await this.#write(lines, ops.length, counts, clientId, from?.batch ?? null);
    if (bases === null) return null;
    for (const [space, count] of counts) this.#unacknowledged.set(space, this.unacknowledgedIn(space) + count);
    return ranks.map((rank, k) => (bases[spaces[k] as string] as number) + rank);
  }

  /** Writes one encoded batch; resolves to each space's mutation id base, or null for a batch written before. */
  async #write(lines: string, size: number, counts: ReadonlyMap<string, number>, clientId: string, batch: number | null): Promise<Record<string, number> | null> {
    // Everything hangs off `state`: for a batch written already it has no row, and nothing is written.
    const result = await this.#db.query<{ bases: string | null }>(
      `WITH ops AS (
         SELECT ${decodedText('f[1]')} AS id, ${decodedText('f[2]')} AS type, nullif(f[3], '')::json AS value,
           nullif(f[4], '')::json AS before, CASE WHEN f[3] = '' THEN 'delete' WHEN f[7] <> '' THEN 'patch' ELSE 'upsert' END AS op,
           ${decodedText('f[5]')} AS space, f[6]::bigint AS rank, nullif(f[7], '')::json AS fields, o.seq
         FROM string_to_table($1, E'\n') WITH ORDINALITY AS o(line, seq), string_to_array(o.line, E'\t') AS f
       ), state AS (
         UPDATE local_clients SET last_batch = coalesce($5::bigint, last_batch)
         WHERE client_id = $4 AND ($5::bigint IS NULL OR last_batch < $5::bigint)
         -- The batch's push order: its seqs reserved from the sequence at once, not drawn row by row.
         RETURNING setval('client_changes_seq', nextval('client_changes_seq') + $2::bigint - 1) - $2::bigint AS seq_base
       ), counts AS (
         SELECT key AS space, value::bigint AS n FROM json_each_text($6::json) WHERE EXISTS (SELECT 1 FROM state)
       ), ids AS (
         INSERT INTO mutation_ids (space, client_id, last_mutation_id) SELECT space, $4, n FROM counts
         ON CONFLICT (space, client_id) DO UPDATE SET last_mutation_id = mutation_ids.last_mutation_id + excluded.last_mutation_id
         RETURNING space, last_mutation_id
       ), bases AS (
         SELECT ids.space, ids.last_mutation_id - counts.n AS base FROM ids JOIN counts USING (space)
       ), updated AS (
         UPDATE entities SET type = ops.type, value = ops.value
         FROM ops WHERE ops.op IN ('upsert', 'patch') AND entities.space = ops.space AND entities.id = ops.id AND EXISTS (SELECT 1 FROM state)
       ), inserted AS (
         -- Every part of the statement sees the table as it was before it, so this inserts exactly
         -- the ids the update did not find (an id is in a batch once), without ON CONFLICT's
         -- speculative insertion per row.
         INSERT INTO entities (space, id, type, value)
         SELECT space, id, type, value FROM ops
         WHERE op IN ('upsert', 'patch') AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.space = ops.space AND e.id = ops.id) AND EXISTS (SELECT 1 FROM state)
       ), deleted AS (
         DELETE FROM entities USING ops WHERE ops.op = 'delete' AND entities.space = ops.space AND entities.id = ops.id AND EXISTS (SELECT 1 FROM state)
       ), logged AS (
         INSERT INTO client_changes (space, client_id, id, seq, entity_id, entity_type, op, data, before, fields, created_at)
         SELECT ops.space, $4, bases.base + ops.rank, state.seq_base + ops.seq, ops.id, ops.type, ops.op, ops.value, ops.before, ops.fields, $3::bigint
         FROM ops JOIN bases USING (space) CROSS JOIN state
       )
       SELECT (SELECT json_object_agg(space, base) FROM bases)::text AS bases`,
      [lines, size, this.#now(), clientId, batch, JSON.stringify(Object.fromEntries(counts))],
    );
    const bases = result.rows[0]?.bases ?? null;
    return bases === null ? null : (JSON.parse(bases) as Record<string, number>);
  }

  /**
   * Applies one pull in one transaction: acknowledge the outbox, then write server values for
   * every entity without unacknowledged local mutations (those keep the local value until the
   * server acknowledges them), then store the cookie.
   */
  async applyPull(input: PullApplication): Promise<PullResult> {
    const { space } = input;
    const { writes, held } = this.#checked(space, input.writes);
    const result = await this.#db.transaction(async (tx) => {
      // Before acknowledging: a refusal is news only for a row still waiting for its answer.
      const newlyRefused = new Set<string>();
      if (input.refused && input.refused.length > 0) {
        const marked = await tx.query<{ client_id: string; id: number }>(
          `UPDATE client_changes c SET refusal = r.reason FROM json_to_recordset($1::json) AS r(client_id text, mutation_id bigint, reason text)
           WHERE c.space = $2 AND c.client_id = r.client_id AND c.id = r.mutation_id AND NOT c.acknowledged
           RETURNING c.client_id, c.id`,
          [JSON.stringify(input.refused.map((r) => ({ client_id: r.clientId, mutation_id: r.mutationId, reason: r.reason }))), space],
        );
        for (const row of marked.rows) newlyRefused.add(refusalKey(row.client_id, row.id));
      }
      const acknowledged = input.acknowledgeUpTo === null ? [] : await rowsToAcknowledge(tx, space, input.acknowledgeUpTo);
      if (input.acknowledgeUpTo !== null) await acknowledgeRows(tx, space, input.acknowledgeUpTo);
      const local = await localWrites(tx, space);
      const ledgerIds = new Set(acknowledged.map((row) => row.entity_id).filter((id) => !local.has(id) && !input.pendingInMemory(id)));
      const rebased = [...writes.keys()].filter((id) => local.get(id) instanceof Set);
      const mine = await valuesOf(tx, space, [...new Set([...ledgerIds, ...rebased])]);
      const at = this.#now();
      const overwritten: OverwrittenWrite[] = [];

      const applied = new Map<string, Entity | undefined>();
      const skipped = new Map<string, Entity | undefined>();
      for (const [id, value] of writes) {
        const write = local.get(id);
        if (write === undefined) applied.set(id, value);
        else if (write === 'whole') skipped.set(id, value);
        else {
          // Unacknowledged patches go on top of the server's newer value (a rebase); a delete wins at once.
          const before = mine.get(id);
          const merged = value && before ? withFields(value, before, write) : value;
          if (merged === null) skipped.set(id, value);
          else applied.set(id, merged);
          if (!value && before) overwritten.push({ space, id, type: before.type, mine: before, server: null, fields: [...write], reason: 'deleted', refusal: null, at });
        }
      }
      await holdAside(tx, held);
      // A value that fits (or a delete) replaces one held aside; after a clear, so does the server not having it.
      const released = await tx.query<{ id: string }>(
        `DELETE FROM held_aside WHERE space = $1 AND (id IN (SELECT json_array_elements_text($2::json)) OR ($3::json IS NOT NULL AND id NOT IN (SELECT json_array_elements_text($3::json))))
         RETURNING id`,
        [space, JSON.stringify([...writes.keys()]), input.keep ? JSON.stringify([...input.keep]) : null],
      );
      if (input.keep) {
        const present = await tx.query<{ id: string }>('SELECT id FROM entities WHERE space = $1', [space]);
        for (const { id } of present.rows) {
          if (input.keep.has(id) || applied.has(id)) continue;
          if (local.get(id) === 'whole') skipped.set(id, undefined);
          else applied.set(id, undefined);
        }
      }
      // The server's news: a write of mine whose fields a later patch replaced unseen (once per row,
      // and not while a newer local write of those fields is on its way: that one will land on top).
      for (const row of await markOverwritten(tx, space, input.overwrittenBy ?? [])) {
        const write = local.get(row.entity_id);
        const stillMine = write === 'whole' || (write !== undefined && row.fields.some((field) => write.has(field))) || input.pendingInMemory(row.entity_id);
        if (stillMine || row.data === null) continue;
        const theirs = applied.has(row.entity_id) ? applied.get(row.entity_id) : (await valuesOf(tx, space, [row.entity_id])).get(row.entity_id);
        ledgerIds.delete(row.entity_id);
        overwritten.push({ space, id: row.entity_id, type: row.entity_type, mine: row.data, server: theirs ?? null, fields: row.fields, reason: 'overwritten', refusal: null, at });
      }
      // The ledger: a write this pull acknowledges whose fields the server's value does not hold.
      for (const [id, rows] of groupBy(acknowledged.filter((row) => ledgerIds.has(row.entity_id)), (row) => row.entity_id)) {
        if (rows.some((row) => row.op === 'discard')) continue;
        const ours = mine.get(id);
        const theirs = applied.has(id) ? applied.get(id) : ours;
        const fields = rows.some((row) => row.op !== 'patch') ? null : [...new Set(rows.flatMap((row) => row.fields ?? []))];
        if (sameFields(ours, theirs, fields)) continue;
        const refusal = rows.findLast((row) => row.refusal !== null)?.refusal ?? null;
        overwritten.push({
          space,
          id,
          type: (ours ?? theirs)?.type ?? rows[0]!.entity_type,
          mine: ours ?? null,
          server: theirs ?? null,
          fields,
          reason: refusal !== null ? 'refused' : theirs ? 'overwritten' : 'deleted',
          refusal,
          at,
        });
      }
      const puts: Entity[] = [];
      const deletes: string[] = [];
      for (const [id, value] of applied) {
        if (value) puts.push(value);
        else deletes.push(id);
      }
      if (puts.length > 0) {
        await tx.query(
          `INSERT INTO entities (space, id, type, value)
           SELECT $2, value->>'id', value->>'type', value FROM json_array_elements($1::json) AS value
           ON CONFLICT (space, id) DO UPDATE SET type = excluded.type, value = excluded.value`,
          [JSON.stringify(puts), space],
        );
      }
      if (deletes.length > 0) {
        await tx.query('DELETE FROM entities WHERE space = $2 AND id IN (SELECT json_array_elements_text($1::json))', [JSON.stringify(deletes), space]);
      }
      if (input.cookie !== undefined || input.writable !== undefined) {
        await tx.query('UPDATE local_spaces SET cookie = CASE WHEN $1::boolean THEN $2::json ELSE cookie END, writable = coalesce($3, writable) WHERE space = $4', [
          input.cookie !== undefined,
          JSON.stringify(input.cookie ?? null),
          input.writable ?? null,
          space,
        ]);
      }
      return { applied, skipped, newlyRefused, overwritten, released: released.rows.map((row) => row.id), unacknowledged: await countUnacknowledged(tx) };
    });
    this.#unacknowledged = result.unacknowledged;
    const known = this.#spaces.get(space);
    if (known) {
      this.#spaces.set(space, {
        ...known,
        ...(input.cookie !== undefined && { cookie: input.cookie }),
        ...(input.writable !== undefined && { writable: input.writable }),
      });
    }
    if (input.acknowledgeUpTo !== null) this.#reportAcknowledged(space, input.acknowledgeUpTo, this.outboxLength);
    return { applied: result.applied, skipped: result.skipped, newlyRefused: result.newlyRefused, overwritten: result.overwritten, heldAside: held, released: result.released };
  }

  /** A pull's server values checked against the app's schema: those that fit (as the validator outputs them), and those held aside. */
  #checked(space: string, writes: ReadonlyMap<string, Entity | undefined>): { writes: ReadonlyMap<string, Entity | undefined>; held: HeldAsideEntity[] } {
    const { verdict } = this.#app;
    if (verdict === null) return { writes, held: [] };
    const fitting = new Map<string, Entity | undefined>();
    const held: HeldAsideEntity[] = [];
    const at = this.#now();
    for (const [id, value] of writes) {
      const checked = value === undefined ? { entity: undefined } : verdict(value);
      if ('issues' in checked) held.push({ space, id, type: (value as Entity).type, value: value as Entity, issues: checked.issues, schemaVersion: this.#app.version, heldAt: at });
      else fitting.set(id, checked.entity);
    }
    return { writes: fitting, held };
  }

  /**
   * Turns the first `count` unacknowledged rows of `space` (in push order) into discards: they keep
   * their mutation ids, so the server acknowledges them without applying them. Returns how many changed.
   */
  async discardUnacknowledged(space: string, count: number): Promise<number> {
    const result = await this.#db.query(
      `UPDATE client_changes SET op = 'discard', data = NULL, fields = NULL
       WHERE seq IN (SELECT seq FROM client_changes WHERE NOT acknowledged AND space = $2 ORDER BY seq LIMIT $1)`,
      [count, space],
    );
    return result.affectedRows ?? 0;
  }

  /** Unacknowledged outbox rows in mutation-id order. */
  async unsyncedChanges(limit = 1000): Promise<OutboxEntry[]> {
    const result = await this.#db.query<OutboxRow>(
      `SELECT space, client_id, id, entity_id, entity_type, op, data, fields, before, created_at FROM client_changes
       WHERE NOT acknowledged ORDER BY seq LIMIT $1`,
      [limit],
    );
    return result.rows.map(toOutboxEntry);
  }

  #reportAcknowledged(space: string, upTo: Readonly<Record<string, number>>, remaining: number): void {
    this.#emit({ type: 'outbox:acknowledged', space, upTo: upTo[this.#clientId] ?? null, byClient: upTo, remaining });
  }

  /** The newest outbox rows, acknowledged or not (as many as compaction kept), newest first. */
  async changeLog(limit: number): Promise<ChangeLogEntry[]> {
    const result = await this.#db.query<OutboxRow & { acknowledged: boolean; refusal: string | null }>(
      `SELECT space, client_id, id, entity_id, entity_type, op, data, fields, before, created_at, acknowledged, refusal FROM client_changes ORDER BY seq DESC LIMIT $1`,
      [limit],
    );
    return result.rows.map((row) => ({ ...toOutboxEntry(row), acknowledged: row.acknowledged, refusal: row.refusal }));
  }

  /**
   * Empties the local db (entities, outbox, spaces and their cookies) under a new profile and
   * client, in one transaction: fresh client groups whose mutation ids start again at 1, so the
   * server never sees a gap.
   */
  async reset(profileId: string, clientId: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.exec('TRUNCATE entities, held_aside, client_changes, local_clients, local_spaces, mutation_ids');
      await tx.query('UPDATE client_state SET profile_id = $1', [profileId]);
      await tx.query('INSERT INTO local_clients (client_id) VALUES ($1)', [clientId]);
    });
    this.#profileId = profileId;
    this.#clientId = clientId;
    this.#knownClients.clear();
    this.#knownClients.add(clientId);
    this.#spaces.clear();
    this.#unacknowledged = new Map();
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

/** Entities in one page of the load at open from a worker: each page's JSON.parse is one stretch of the page's main thread. */
const LOAD_PAGE_ROWS = 5000;

/** One page of the load: its values as JSON text, how many, and the key of its last row (where the next page starts). */
interface LoadPage {
  json: string;
  n: number;
  last_space: string | null;
  last_id: string | null;
}

/** A page of the load in key order: the primary key's index walks it, and the next page starts after the last key (keyset, not OFFSET). */
const loadPage = (after: string) => `WITH page AS (
    SELECT space, id, value FROM entities WHERE space IN (SELECT json_array_elements_text($1::json)) ${after} ORDER BY space, id LIMIT $2
  ), last AS (SELECT space, id FROM page ORDER BY space DESC, id DESC LIMIT 1)
  SELECT coalesce(json_agg(page.value), '[]')::text AS json, count(*)::int AS n, (SELECT space FROM last) AS last_space, (SELECT id FROM last) AS last_id FROM page`;
const FIRST_PAGE = loadPage('');
const NEXT_PAGE = loadPage('AND (space, id) > ($3::text, $4::text)');

interface ClientStateRow {
  profile_id: string;
  schema_version: number;
}

interface SpaceRow {
  space: string;
  client_group_id: string;
  cookie: Cookie;
  writable: boolean | null;
  generation: number;
}

function toLocalSpace(row: SpaceRow): LocalSpace {
  return { space: row.space, clientGroupId: row.client_group_id, cookie: row.cookie, writable: row.writable, generation: row.generation };
}

async function countUnacknowledged(db: Queryable): Promise<Map<string, number>> {
  const { rows } = await db.query<{ space: string; count: number }>('SELECT space, count(*)::int AS count FROM client_changes WHERE NOT acknowledged GROUP BY space');
  return new Map(rows.map((row) => [row.space, row.count]));
}

interface OutboxRow {
  space: string;
  client_id: string;
  id: number;
  entity_id: string;
  entity_type: string;
  op: OutboxEntry['op'];
  data: Entity | null;
  fields: string[] | null;
  before: Entity | null;
  created_at: number;
}

function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return { space: row.space, clientId: row.client_id, mutationId: row.id, entityId: row.entity_id, entityType: row.entity_type, op: row.op, entity: row.data, fields: row.fields, before: row.before, createdAt: row.created_at };
}

/** Marks the rows the server says were overwritten, if not marked before; returns them with the fields named. */
async function markOverwritten(db: Queryable, space: string, notes: NonNullable<PullApplication['overwrittenBy']>) {
  if (notes.length === 0) return [];
  const { rows } = await db.query<{ entity_id: string; entity_type: string; data: Entity | null; client_id: string; id: number }>(
    `UPDATE client_changes c SET overwritten = true FROM json_to_recordset($1::json) AS o(client_id text, mutation_id bigint, key text)
     WHERE c.space = $2 AND c.client_id = o.client_id AND c.id = o.mutation_id AND c.entity_id = o.key AND NOT c.overwritten
     RETURNING c.entity_id, c.entity_type, c.data, c.client_id, c.id`,
    [JSON.stringify(notes.map((n) => ({ client_id: n.clientId, mutation_id: n.mutationId, key: n.key }))), space],
  );
  return rows.map((row) => ({ ...row, fields: notes.find((n) => n.clientId === row.client_id && n.mutationId === row.id && n.key === row.entity_id)?.fields ?? [] }));
}

/** The unacknowledged rows of `space` that acknowledging up to `upTo` covers. */
async function rowsToAcknowledge(db: Queryable, space: string, upTo: Readonly<Record<string, number>>) {
  const { rows } = await db.query<{ entity_id: string; entity_type: string; op: OutboxEntry['op']; fields: string[] | null; refusal: string | null }>(
    `SELECT c.entity_id, c.entity_type, c.op, c.fields, c.refusal FROM client_changes c JOIN json_each_text($1::json) AS a(client_id, up_to)
       ON c.client_id = a.client_id AND c.id <= a.up_to::bigint
     WHERE c.space = $2 AND NOT c.acknowledged ORDER BY c.seq`,
    [JSON.stringify(upTo), space],
  );
  return rows;
}

/**
 * Per entity of `space` with unacknowledged rows, what they change: the fields of its patches, or
 * `whole` when one replaces the entity (a create, a delete, a discard waiting for its answer).
 */
async function localWrites(db: Queryable, space: string): Promise<Map<string, Set<string> | 'whole'>> {
  const { rows } = await db.query<{ entity_id: string; whole: boolean; fields: string[][] | null }>(
    `SELECT entity_id, bool_or(op <> 'patch') AS whole, json_agg(fields) FILTER (WHERE op = 'patch') AS fields
     FROM client_changes WHERE NOT acknowledged AND space = $1 GROUP BY entity_id`,
    [space],
  );
  return new Map(rows.map((row) => [row.entity_id, row.whole ? 'whole' : new Set((row.fields ?? []).flat())]));
}

/** The local db's values of these ids in `space`. */
async function valuesOf(db: Queryable, space: string, ids: readonly string[]): Promise<Map<string, Entity>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; value: Entity }>('SELECT id, value FROM entities WHERE space = $1 AND id IN (SELECT json_array_elements_text($2::json))', [
    space,
    JSON.stringify(ids),
  ]);
  return new Map(rows.map((row) => [row.id, row.value]));
}

/** Whether two values of an entity agree on `fields` of their data (null: on everything but updatedAt). */
function sameFields(a: Entity | undefined, b: Entity | undefined, fields: readonly string[] | null): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (fields === null) return a.type === b.type && jsonEqual(a.data, b.data);
  const left = isFieldMap(a.data) ? a.data : {};
  const right = isFieldMap(b.data) ? b.data : {};
  return fields.every((field) => jsonEqual(left[field], right[field]));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function acknowledgeRows(db: Queryable, space: string, upTo: Readonly<Record<string, number>>): Promise<unknown> {
  return db.query(
    `UPDATE client_changes c SET acknowledged = true FROM json_each_text($1::json) AS a(client_id, up_to)
     WHERE c.space = $2 AND c.client_id = a.client_id AND c.id <= a.up_to::bigint AND NOT c.acknowledged`,
    [JSON.stringify(upTo), space],
  );
}

type Queryable = Pick<PGliteInterface, 'query'> | Transaction;

async function one<T>(db: Queryable, sql: string, params?: unknown[]): Promise<T> {
  const result = await db.query<T>(sql, params);
  const row = result.rows[0];
  if (row === undefined) throw new KalphiteError('db-failed', `Expected a row from: ${sql.split('\n')[0]}`);
  return row;
}

/**
 * The app's schema at open, in one transaction before memory loads: a newer schemaVersion migrates
 * what is stored (`app-schema.ts`), and held-aside values are tried again. Events go out once it committed.
 */
async function migrateData(db: PGliteInterface, options: LocalDbOptions): Promise<void> {
  const app = options.appSchema ?? NO_APP_SCHEMA;
  const events: Parameters<EmitEvent>[0][] = [];
  const collect: EmitEvent = (event) => events.push(event);
  const now = options.now();
  try {
    await db.transaction(async (tx) => {
      const report = await migrateToApp(tx, app, now, collect);
      if (report) collect({ type: 'schema:migrated', ...report });
      await retryHeldAside(tx, app, collect);
    });
  } catch (error) {
    throw error instanceof KalphiteError && error.code === 'migration-failed' ? error : new KalphiteError('migration-failed', `Migrating to schema version ${app.version} failed: ${toKalphiteError('db-failed', error).message}`, { cause: error });
  }
  for (const event of events) options.emit(event);
}

/**
 * Brings the local db's schema to the latest version, every pending migration in one transaction:
 * on `idb://` each commit copies the changed files to IndexedDB, and a database that PGlite's
 * initdb made has them all pending. A failure leaves the database at the version it had. Events go
 * out once it committed. A database made from the packed one is at the latest version already, its
 * profile unclaimed: it takes a new one.
 */
async function migrate(db: PGliteInterface, options: LocalDbOptions): Promise<void> {
  const { present } = await one<{ present: boolean }>(db, `SELECT to_regclass('client_state') IS NOT NULL AS present`);
  // The profile column had other names before version 6: read through the row as JSON.
  const state = present
    ? await one<{ v: number; unclaimed: boolean }>(db, `SELECT schema_version AS v, coalesce(to_jsonb(client_state) ->> 'profile_id' = $1, false) AS unclaimed FROM client_state`, [UNCLAIMED_PROFILE_ID])
    : { v: 0, unclaimed: false };
  if (state.unclaimed) await db.query('UPDATE client_state SET profile_id = $1', [options.randomId()]);
  const current = state.v;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new KalphiteError(
      'migration-failed',
      `The local database has schema version ${current}, newer than this Kalphite (${LATEST_SCHEMA_VERSION}). Upgrade Kalphite or use another dataDir.`,
    );
  }
  const pending = migrations.filter((migration) => migration.version > current);
  if (pending.length === 0) return;
  let running = pending[0]!;
  try {
    await db.transaction(async (tx) => {
      for (const migration of pending) {
        running = migration;
        await applyMigration(tx, migration, options.randomId);
      }
    });
  } catch (error) {
    throw new KalphiteError('migration-failed', `Migration ${running.version} (${running.description}) failed: ${toKalphiteError('db-failed', error).message}`, { cause: error });
  }
  let at = current;
  for (const migration of pending) {
    options.emit({ type: 'db:migrated', from: at, to: migration.version, description: migration.description });
    at = migration.version;
  }
}

/**
 * A batch as one text parameter: a line per op, tab-separated id, type, value, before (empty:
 * none), space, the op's rank among the batch's ops in its space (its mutation id's offset) and a
 * patch's fields as a JSON array (empty: not a patch). Parsing one JSON document of the whole batch (json_to_recordset) cost PostgreSQL more than
 * writing the rows; splitting lines costs almost nothing, and each value is still checked as JSON.
 * JSON never holds a raw tab or newline; an id or type that does, or starts with a quote, is sent as
 * a JSON string instead, and so is one holding a surrogate: the store refuses lone ones, but one that
 * got here would reach the wire as U+FFFD unless escaped, and PostgreSQL then refuses it loudly.
 * With a `pause`, it is awaited every OPS_BETWEEN_PAUSES ops (the page's main thread, its SQL in a worker).
 */
async function encodeOps(ops: readonly FlushOp[], pause: (() => Promise<void>) | null): Promise<{ lines: string; spaces: string[]; ranks: number[]; counts: Map<string, number> }> {
  let lines = '';
  const spaces: string[] = [];
  const ranks: number[] = [];
  const counts = new Map<string, number>();
  for (let k = 0; k < ops.length; k++) {
    if (pause && k > 0 && k % OPS_BETWEEN_PAUSES === 0) await pause();
    const op = ops[k] as FlushOp;
    const space = opSpace(op);
    const rank = (counts.get(space) ?? 0) + 1;
    counts.set(space, rank);
    spaces.push(space);
    ranks.push(rank);
    if (k > 0) lines += '\n';
    const fields = op.entity && op.fields ? JSON.stringify(op.fields) : '';
    lines += `${encodeText(op.id)}\t${encodeText(op.type)}\t${op.entity ? JSON.stringify(op.entity) : ''}\t${op.before ? JSON.stringify(op.before) : ''}\t${encodeText(space)}\t${rank}\t${fields}`;
  }
  return { lines, spaces, ranks, counts };
}

const NEEDS_QUOTING = /^"|[\t\n\ud800-\udfff]/;
const encodeText = (value: string): string => (NEEDS_QUOTING.test(value) ? JSON.stringify(value) : value);
/** SQL reading a field written by `encodeText`. */
const decodedText = (field: string): string => `CASE WHEN left(${field}, 1) = '"' THEN ${field}::json #>> '{}' ELSE ${field} END`;
