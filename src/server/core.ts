import { entityProblem, idProblem, type Entity } from '../protocol/entity.js';
import { ProtocolError } from '../protocol/errors.js';
import { isRecord, storableText, type JsonValue } from '../protocol/json.js';
import { cookieOrder, type Cookie, type PatchOperation, type PullRequest, type PullResponseOK, type Refusal } from '../protocol/pull.js';
import type { Mutation, PushRequest } from '../protocol/push.js';
import { BackendUnavailableError, type SqlExecutor, type SyncBackend } from './backend.js';
import { logServerProblem, type ServerErrorHook } from './problems.js';
import { ensureSchema } from './schema.js';

/**
 * Decides a write to an entity of one type: return what to store, or null to refuse it. Without a
 * resolver the server's commit order decides (last write wins).
 */
export type ConflictResolver = (incoming: Entity, current: Entity | null) => Entity | null;

export interface SyncCoreOptions {
  readonly backend: SyncBackend;
  /** Per entity type, looked up as own properties only (a type named `constructor` has none). */
  readonly resolvers?: Readonly<Record<string, ConflictResolver>>;
  /** Hears a resolver that threw (its mutation is refused with the error's message). Default: stderr. */
  readonly onError?: ServerErrorHook;
}

/** Refusals kept per client, newest first: enough for any pull that has not yet caught up. */
const REFUSALS_KEPT = 1000;

/** What one push did, for logs, events and tests. */
export interface PushOutcome {
  /** The version this push committed, or null when it changed nothing. */
  readonly version: number | null;
  readonly applied: number;
  /** Already applied earlier (a retried push): skipped. */
  readonly duplicates: number;
  /** Permanent errors (bad args, unknown mutator, a deleted entity, a resolver's no): acknowledged, not applied. */
  readonly refused: readonly Refusal[];
}

export interface SyncCore {
  readonly backend: SyncBackend;
  push(request: PushRequest): Promise<PushOutcome>;
  pull(request: PullRequest): Promise<PullResponseOK>;
  close(): Promise<void>;
}

interface Row {
  readonly type: string;
  readonly value: Entity | null;
  readonly deleted: boolean;
}

/**
 * The server's protocol semantics, framework-free: the HTTP server, the MSW handlers and the
 * tests all run this, over PGlite or PostgreSQL.
 */
export async function createSyncCore(options: SyncCoreOptions): Promise<SyncCore> {
  const { backend } = options;
  const onError = options.onError ?? logServerProblem;
  await schemaReady(backend, onError);
  const resolve = resolverCall(options.resolvers, onError);

  async function push(request: PushRequest): Promise<PushOutcome> {
    const outcome = await backend.transaction('write', async (tx) => {
      // The version row lock serialises every push on this database, across server processes.
      const [{ version: current } = { version: 0 }] = await tx.query<{ version: number }>(
        'SELECT version FROM kalphite_version FOR UPDATE',
      );
      const clientIDs = [...new Set(request.mutations.map((m) => m.clientID))];
      const { clients: known, rows } = await loadState(tx, clientIDs, request.mutations);
      const lastIDs = new Map<string, number>();
      for (const client of known) {
        if (client.client_group_id !== request.clientGroupID) {
          throw new ProtocolError('invalid-request', `Client ${client.client_id} belongs to another client group.`);
        }
        lastIDs.set(client.client_id, client.last_mutation_id);
      }
      checkOrder(request.mutations, lastIDs);

      const changed = new Map<string, Row>();
      const refused: (Refusal & { readonly key: string | null })[] = [];
      let applied = 0;
      let duplicates = 0;
      for (const mutation of request.mutations) {
        const last = lastIDs.get(mutation.clientID) ?? 0;
        if (mutation.id <= last) {
          duplicates++;
          continue;
        }
        const refusal = apply(mutation, rows, changed, resolve);
        if (refusal) refused.push({ clientID: mutation.clientID, id: mutation.id, reason: storableReason(refusal.reason), key: refusal.key });
        else applied++;
        lastIDs.set(mutation.clientID, mutation.id);
      }
      if (applied + refused.length === 0) return { version: null, applied, duplicates, refused: [] };

      const version = current + 1;
      // Entities, client ids, refusals and the version in one statement: one round trip, whatever the push size.
      await tx.query(
        `WITH refusals AS (
           INSERT INTO kalphite_refusals (client_id, mutation_id, client_group_id, entity_key, reason, version)
           SELECT client_id, mutation_id, $4, entity_key, reason, $3 FROM jsonb_to_recordset($5::jsonb)
             AS r(client_id text, mutation_id bigint, entity_key text, reason text)
         ), pruned AS (
           DELETE FROM kalphite_refusals f USING jsonb_to_recordset($2::jsonb) AS r(client_id text, last_mutation_id bigint)
           WHERE f.client_id = r.client_id AND f.mutation_id <= r.last_mutation_id - ${REFUSALS_KEPT}
         ), entities AS (
           INSERT INTO kalphite_entities (key, type, value, version, deleted)
           SELECT key, type, value, $3, deleted FROM jsonb_to_recordset($1::jsonb) AS r(key text, type text, value jsonb, deleted boolean)
           ON CONFLICT (key) DO UPDATE SET type = excluded.type, value = excluded.value, version = excluded.version, deleted = excluded.deleted
         ), clients AS (
           INSERT INTO kalphite_clients (client_id, client_group_id, last_mutation_id, version)
           SELECT client_id, $4, last_mutation_id, $3 FROM jsonb_to_recordset($2::jsonb) AS r(client_id text, last_mutation_id bigint)
           ON CONFLICT (client_id) DO UPDATE SET last_mutation_id = excluded.last_mutation_id, version = excluded.version
         )
         UPDATE kalphite_version SET version = $3`,
        [
          JSON.stringify([...changed].map(([key, row]) => ({ key, ...row }))),
          JSON.stringify(clientIDs.map((id) => ({ client_id: id, last_mutation_id: lastIDs.get(id) ?? 0 }))),
          version,
          request.clientGroupID,
          JSON.stringify(refused.map((r) => ({ client_id: r.clientID, mutation_id: r.id, entity_key: r.key, reason: r.reason }))),
        ],
      );
      return { version, applied, duplicates, refused: refused.map(({ clientID, id, reason }) => ({ clientID, id, reason })) };
    });
    if (outcome.version !== null) await backend.publish(outcome.version);
    return outcome;
  }

  async function pull(request: PullRequest): Promise<PullResponseOK> {
    return backend.transaction('read', async (tx) => {
      const [{ version } = { version: 0 }] = await tx.query<{ version: number }>('SELECT version FROM kalphite_version');
      // A cookie from the future (the server lost its data, or another server): start over.
      const cookie: Cookie = cookieOrder(request.cookie) > version ? null : request.cookie;
      const limit = request.limit ?? null;
      const params: unknown[] = [cookie === null ? -1 : cookieOrder(cookie)];
      let where = cookie === null ? 'version > $1 AND NOT deleted' : 'version > $1';
      if (cookie !== null && typeof cookie !== 'number') {
        params.push(cookie.key);
        where = `(version > $1 OR (version = $1 AND key > $${params.length}))`;
      }
      if (limit !== null) params.push(limit + 1);
      const rows = await tx.query<{ key: string; value: JsonValue | null; version: number; deleted: boolean }>(
        `SELECT key, value, version, deleted FROM kalphite_entities WHERE ${where}
         ORDER BY version, key ${limit === null ? '' : `LIMIT $${params.length}`}`,
        params,
      );
      const more = limit !== null && rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const patch: PatchOperation[] = cookie === null ? [{ op: 'clear' }] : [];
      for (const row of page) patch.push(row.deleted || row.value === null ? { op: 'del', key: row.key } : { op: 'put', key: row.key, value: row.value });
      const last = page[page.length - 1];
      if (more && last) return { cookie: { order: last.version, key: last.key }, lastMutationIDChanges: {}, patch, more: true };

      // Mutation ids only on the last page, so a client never acknowledges what it has not yet seen.
      const sinceClients = cookie === null || typeof cookie !== 'number' ? -1 : cookie;
      const clients = await tx.query<{ client_id: string; last_mutation_id: number }>(
        `SELECT client_id, last_mutation_id FROM kalphite_clients WHERE client_group_id = $1 AND version > $2`,
        [request.clientGroupID, sinceClients],
      );
      const lastMutationIDChanges: Record<string, number> = {};
      for (const client of clients) lastMutationIDChanges[client.client_id] = client.last_mutation_id;
      // A refused create of an id the server never stored: a del, so the writer's optimistic copy goes
      // (after a clear there is nothing to delete).
      const refusals = await tx.query<{ client_id: string; mutation_id: number; reason: string; unknown_key: string | null }>(
        `SELECT r.client_id, r.mutation_id, r.reason, CASE WHEN e.key IS NULL THEN r.entity_key END AS unknown_key
         FROM kalphite_refusals r LEFT JOIN kalphite_entities e ON e.key = r.entity_key
         WHERE r.client_group_id = $1 AND r.version > $2 ORDER BY r.version, r.client_id, r.mutation_id`,
        [request.clientGroupID, sinceClients],
      );
      const refused: Refusal[] = [];
      const gone = new Set<string>();
      for (const r of refusals) {
        refused.push({ clientID: r.client_id, id: r.mutation_id, reason: r.reason });
        if (cookie !== null && r.unknown_key !== null && !gone.has(r.unknown_key)) {
          gone.add(r.unknown_key);
          patch.push({ op: 'del', key: r.unknown_key });
        }
      }
      return { cookie: version, lastMutationIDChanges, patch, ...(refused.length > 0 && { refused }) };
    });
  }

  return { backend, push, pull, close: () => backend.close() };
}

/**
 * Creates the tables, trying again when a connection to the database is lost while it answers (a
 * restart, a failover, a terminated backend): a server that starts during one should come up once it
 * is back, not exit. A database never reached (a wrong address) and other errors throw at once.
 */
async function schemaReady(backend: SyncBackend, onError: ServerErrorHook): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await backend.transaction('write', ensureSchema);
      return;
    } catch (error) {
      if (!(error instanceof BackendUnavailableError) || !error.reached || attempt >= SCHEMA_ATTEMPTS) throw error;
      onError({ code: 'database-unavailable', message: `Creating the tables failed (attempt ${attempt} of ${SCHEMA_ATTEMPTS}): ${error.message}`, cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** About 6 s of attempts in all. */
const SCHEMA_ATTEMPTS = 6;

/** A mutation whose id skips ahead means earlier ones were lost: refuse the push, apply nothing. */
function checkOrder(mutations: readonly Mutation[], lastIDs: ReadonlyMap<string, number>): void {
  const expected = new Map(lastIDs);
  for (const m of mutations) {
    const next = (expected.get(m.clientID) ?? 0) + 1;
    if (m.id > next) {
      throw new ProtocolError('mutation-from-future', `Mutation ${m.id} of client ${m.clientID} is from the future: the server expects ${next}.`);
    }
    if (m.id === next) expected.set(m.clientID, m.id);
  }
}

/**
 * The pushing clients' last mutation ids and the current rows of every entity the push touches,
 * in one query. Runs after the version row lock, so it sees every earlier push.
 */
async function loadState(
  tx: SqlExecutor,
  clientIDs: readonly string[],
  mutations: readonly Mutation[],
): Promise<{ clients: readonly ClientRow[]; rows: Map<string, Row> }> {
  const keys = new Set<string>();
  // Only keys PostgreSQL can hold: a mutation naming any other is refused without a lookup.
  for (const m of mutations) if (isRecord(m.args) && idProblem(m.args.id) === null) keys.add(m.args.id as string);
  const [state] = await tx.query<{ clients: ClientRow[]; rows: (Row & { key: string })[] }>(
    `SELECT
       (SELECT coalesce(json_agg(json_build_object('client_id', client_id, 'client_group_id', client_group_id, 'last_mutation_id', last_mutation_id)), '[]'::json)
          FROM kalphite_clients WHERE client_id IN (SELECT jsonb_array_elements_text($1::jsonb))) AS clients,
       (SELECT coalesce(json_agg(json_build_object('key', key, 'type', type, 'value', value, 'deleted', deleted)), '[]'::json)
          FROM kalphite_entities WHERE key IN (SELECT jsonb_array_elements_text($2::jsonb))) AS rows`,
    [JSON.stringify(clientIDs), JSON.stringify([...keys])],
  );
  const rows = new Map<string, Row>();
  for (const row of state?.rows ?? []) rows.set(row.key, { type: row.type, value: row.value, deleted: row.deleted });
  return { clients: state?.clients ?? [], rows };
}

interface ClientRow {
  readonly client_id: string;
  readonly client_group_id: string;
  readonly last_mutation_id: number;
}

/** A resolver, found as an own property, called so that a throw refuses rather than fails the push. */
type Resolve = (incoming: Entity, current: Entity | null) => { readonly value: Entity | null } | { readonly error: string } | null;

function resolverCall(resolvers: SyncCoreOptions['resolvers'], onError: ServerErrorHook): Resolve {
  return (incoming, current) => {
    // Own properties only: a type named `valueOf` or `__proto__` must not find Object.prototype's.
    const resolver = resolvers && Object.hasOwn(resolvers, incoming.type) ? resolvers[incoming.type] : undefined;
    if (typeof resolver !== 'function') return null;
    try {
      return { value: resolver(incoming, current) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      onError({ code: 'resolver-threw', message: `The ${incoming.type} resolver threw on ${incoming.id}: ${message}`, cause: error });
      return { error: message };
    }
  };
}

/**
 * Applies one mutation to the working rows; returns why it was refused (and the key it named), or
 * null. A refused write still re-stamps the entity it targeted: the pull that acknowledges the
 * mutation then carries the server's value, so the writer drops its optimistic one (for a key the
 * server never stored, the pull carries a del instead).
 */
function apply(mutation: Mutation, rows: Map<string, Row>, changed: Map<string, Row>, resolve: Resolve): { reason: string; key: string | null } | null {
  const args = mutation.args;
  const key = isRecord(args) && idProblem(args.id) === null ? (args.id as string) : null;
  const refuse = (reason: string) => {
    const current = key === null ? undefined : rows.get(key);
    if (key !== null && current) changed.set(key, current);
    return { reason, key };
  };
  if (mutation.name === 'upsert') {
    const problem = entityProblem(isRecord(args) ? args.id : undefined, args);
    if (problem) return refuse(problem.message);
    const incoming = args as unknown as Entity;
    const current = rows.get(incoming.id);
    // Tombstones are final: a delete is never undone by a later or concurrent write.
    if (current?.deleted) return refuse(`Entity ${incoming.id} was deleted.`);
    const resolved = resolve(incoming, current?.value ?? null);
    if (resolved && 'error' in resolved) return refuse(`The ${incoming.type} resolver failed: ${resolved.error}`);
    const value = resolved ? resolved.value : incoming;
    if (value === null) return refuse(`The ${incoming.type} resolver refused the write.`);
    const resolvedProblem = entityProblem(incoming.id, value);
    if (resolvedProblem) return refuse(`The ${incoming.type} resolver returned a bad entity: ${resolvedProblem.message}`);
    const row: Row = { type: value.type, value, deleted: false };
    rows.set(incoming.id, row);
    changed.set(incoming.id, row);
    return null;
  }
  if (mutation.name === 'delete') {
    if (key === null) return refuse(`delete needs { id }: ${idProblem(isRecord(args) ? args.id : undefined, 'id')}.`);
    const current = rows.get(key);
    // A delete of an id never stored changes nothing: a tombstone would let anyone squat the id.
    if (!current) return null;
    const row: Row = { type: current.type, value: null, deleted: true };
    rows.set(key, row);
    changed.set(key, row);
    return null;
  }
  // Kalphite's client gave this write up after a permanent error: acknowledge it, apply nothing.
  if (mutation.name === 'discard') return refuse('The client discarded this write.');
  return refuse(`Unknown mutator ${JSON.stringify(mutation.name)}.`);
}

/** A reason is stored as text and sent as JSON: escape what PostgreSQL cannot hold, and cut it short. */
function storableReason(reason: string): string {
  const text = reason.length > 1000 ? `${reason.slice(0, 1000)}…` : reason;
  return storableText(text) ? text : JSON.stringify(text).slice(1, -1);
}
