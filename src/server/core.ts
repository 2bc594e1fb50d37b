import type { DigestRequest, DigestResponse } from '../protocol/digest.js';
import { idProblem, type Entity } from '../protocol/entity.js';
import { ProtocolError } from '../protocol/errors.js';
import { isRecord, type JsonValue } from '../protocol/json.js';
import type { EntitySchema } from '../protocol/standard-schema.js';
import { cookieOrder, type Cookie, type PatchOperation, type PullRequest, type Overwritten, type PullResponseOK, type Refusal } from '../protocol/pull.js';
import type { PokeChange } from '../protocol/poke.js';
import type { Mutation, PushRequest } from '../protocol/push.js';
import type { KalphiteSnapshot } from '../protocol/snapshot.js';
import { DEFAULT_SPACE, requireSpace } from '../protocol/space.js';
import { BackendUnavailableError, type SqlExecutor, type SyncBackend } from './backend.js';
import { changeFor, groupNews, notesByGroup, readChange, type GroupNews, type SpaceChange } from './poke-change.js';
import { digestReader } from './digest.js';
import { snapshotReader, type SnapshotRequest } from './snapshot.js';
import { ANONYMOUS_USER, userProblem, type SyncUser } from './identity.js';
import { apply, resolverCall, storableReason, type ConflictResolver, type PushState, type Row } from './mutations.js';
import { permissionCheck, type Authorize } from './permissions.js';
import { schemaCheckedResolve, schemaVersionCheck, serverSchema } from './schema-check.js';
import { logServerProblem, type ServerErrorHook } from './problems.js';
import { inSavepoint, isFailure, SpacePushQueue } from './push-queue.js';
import { writePush } from './push-write.js';
import { spaceBackends, type BackendRoute } from './space-backends.js';

export interface SyncCoreOptions {
  /** The database of every space, or a route from a space to its database (see `BackendRoute`). */
  readonly backend: SyncBackend | BackendRoute;
  /** Who may read and write which space (default: everyone, everything). A throw is a 403, reported. */
  readonly authorize?: Authorize;
  /** Per entity type, looked up as own properties only (a type named `constructor` has none). */
  readonly resolvers?: Readonly<Record<string, ConflictResolver>>;
  /** Hears a hook that threw (a resolver's mutation is refused, an authorize's request is a 403). Default: stderr. */
  readonly onError?: ServerErrorHook;
  /** The engine's schema: upserts and patches whose data does not fit it are refused, with the issues as the reason. */
  readonly schema?: EntitySchema;
  /** With a schema: also refuse upserts and patches of types it does not name (default false: they pass unchecked). */
  readonly strict?: boolean;
  /**
   * Whether this server serves clients of an app schemaVersion (the string every pull and push
   * carries: `createKalphite({ schemaVersion })`, Replicache's `schemaVersion`). Another one is a
   * 400 `unsupported-version` naming it, before anything is read or changed: an app too old for
   * the server's data learns so at once rather than pulling what it cannot hold. Default: every one.
   */
  readonly schemaVersions?: (schemaVersion: string) => boolean;
  /**
   * Pokes carry the change of their version (its patch, and the pushing group's mutation ids and
   * refusals) when its patch is at most this many bytes of JSON; above it, and at 0, a poke carries
   * only the version and its clients pull. Default 16 KiB. Another server on the same database (on
   * PostgreSQL, told by NOTIFY) reads the change back once per version for its streams that name a
   * group, measured as PostgreSQL prints it (a little larger), up to the newest version it sees.
   */
  readonly pokeDataLimit?: number;
}

/** Who asks, and for which space: an adapter passes what it knows (default: anonymous, `default`). */
export interface SyncContext {
  readonly user?: SyncUser;
  readonly space?: string;
}

/** A poke stream's caller and the spaces it listens to. */
export interface PokeSubscriber {
  readonly user?: SyncUser;
  readonly spaces: readonly string[];
  /**
   * Per space, the caller's client group there: its pokes carry their change, with that group's
   * mutation ids. A space without one is poked with versions alone.
   */
  readonly clientGroups?: Readonly<Record<string, string>>;
}

/** A version committed in a subscriber's space, with its change for the subscriber's group when the poke can carry it. */
export interface CommittedVersion {
  readonly space: string;
  readonly version: number;
  readonly change: PokeChange | null;
}

/** Default `pokeDataLimit`: a few dozen edits of ordinary entities. */
export const POKE_DATA_LIMIT = 16 * 1024;

/** Changes kept for pokes not yet heard from the backend's channel; older ones are only versions. */
const CHANGES_KEPT = 256;

/** Changes read back from the database for pokes of versions another server committed, kept for streams still behind. */
const READS_KEPT = 64;

/** A push's outcome and, when the poke can carry it, its version's change. */
interface Committed {
  readonly outcome: PushOutcome;
  readonly change: SpaceChange | null;
}

/** One push as the queue of its space holds it. */
interface PushJob {
  readonly request: PushRequest;
  readonly user: SyncUser;
  readonly space: string;
  readonly writable: boolean;
}

/** What one push did, for logs, events and tests. */
export interface PushOutcome {
  /** The version of its space this push committed, or null when it changed nothing. */
  readonly version: number | null;
  readonly applied: number;
  /** Already applied earlier (a retried push): skipped. */
  readonly duplicates: number;
  /** Permanent errors (bad args, unknown mutator, a deleted entity, a resolver's no, no write permission): acknowledged, not applied. */
  readonly refused: readonly Refusal[];
}

export interface SyncCore {
  push(request: PushRequest, context?: SyncContext): Promise<PushOutcome>;
  pull(request: PullRequest, context?: SyncContext): Promise<PullResponseOK>;
  /** Per entity type, a count and a digest of the space, or one type's ids with their hashes (`protocol/digest.ts`); for readers of the space. */
  digest(request: DigestRequest, context?: SyncContext): Promise<DigestResponse>;
  /**
   * For a server render: the entities of each space `user` may read, with the version they were
   * read at (`createKalphite({ initialSnapshot })` or `<KalphiteProvider initialSnapshot>` on the
   * client). Spaces the user may not read are left out.
   */
  snapshot(request?: SnapshotRequest, context?: Pick<SyncContext, 'user'>): Promise<KalphiteSnapshot>;
  /**
   * Hears each version committed in the subscriber's spaces, only while its user may read them
   * (asked again before every poke), and `onGap` when pokes may have been missed. A permission
   * that cannot be checked is a 403 now; the returned function ends the subscription.
   */
  subscribe(subscriber: PokeSubscriber, onPoke: (poke: CommittedVersion) => void, onGap: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Rule 7 of SPACES.md, one message for every case, so that a 403 says nothing about whose the group
 * or client is, or which of them was the problem.
 */
const notYours = () => new ProtocolError('forbidden', 'This client group or one of its clients is not yours to use; nothing was read or changed.');

/**
 * The server's protocol semantics, framework-free: the HTTP server, the MSW handlers and the
 * tests all run this, over PGlite or PostgreSQL. Each push and pull is one space's, in one
 * transaction on that space's database.
 */
export async function createSyncCore(options: SyncCoreOptions): Promise<SyncCore> {
  const onError = options.onError ?? logServerProblem;
  // Checked before any database opens: a bad schema stops the server from starting.
  const schema = serverSchema(options.schema, options.strict ?? false);
  const servesSchemaVersion = schemaVersionCheck(options.schemaVersions);
  const backends = await spaceBackends(options.backend, onError);
  const may = permissionCheck(options.authorize, onError);
  const resolve = schemaCheckedResolve(resolverCall(options.resolvers, onError), schema);
  const digest = digestReader((space) => backends.of(space), may);
  const snapshot = snapshotReader((space) => backends.of(space), may);
  const pokeDataLimit = options.pokeDataLimit ?? POKE_DATA_LIMIT;
  // Keyed by space and version, heard back from the backend's channel (this process's or, on PostgreSQL,
  // NOTIFY); null: this server committed it, over the limit.
  const changes = new Map<string, SpaceChange | null>();
  // Versions another server committed, read back once per version whatever the number of streams.
  const reads = new Map<string, Promise<SpaceChange | null>>();
  // Per space, the client groups this server's streams name, with how many streams name each.
  const named = new Map<string, Map<string, number>>();

  // The space's row lock serialises the pushes to a space (its first push creates the row), across
  // server processes; pushes to other spaces never wait for it. Those queued here meanwhile share a commit.
  const pushes = new SpacePushQueue<PushJob, Committed>(async function* (tx, jobs) {
    let current = await lockSpace(tx, (jobs[0] as PushJob).space);
    for (const job of jobs) {
      const result = await inSavepoint(tx, jobs.length > 1, () => pushIn(tx, job, current));
      if (!isFailure(result) && result.outcome.version !== null) current = result.outcome.version;
      yield result;
    }
  });

  async function push(request: PushRequest, context: SyncContext = {}): Promise<PushOutcome> {
    servesSchemaVersion(request.schemaVersion);
    const { user, space } = caller(request, context);
    const writable = await may(user, space, 'write');
    const backend = await backends.of(space);
    const { outcome, change } = await pushes.push(space, backend, { request, user, space, writable });
    if (outcome.version !== null) {
      keep(changes, changeKey(space, outcome.version), change, CHANGES_KEPT);
      await backend.publish(space, outcome.version);
    }
    return outcome;
  }

  /** One push in its space's transaction, after the version `current`. */
  async function pushIn(tx: SqlExecutor, { request, user, space, writable }: PushJob, current: number): Promise<Committed> {
    const clientIDs = [...new Set(request.mutations.map((m) => m.clientID))];
    const state = await loadState(tx, space, request.clientGroupID, clientIDs, request.mutations);
    if (state.owner === null) {
      if ((await bindGroup(tx, space, request.clientGroupID, user)) !== user.id) throw notYours();
    } else if (state.owner !== user.id) {
      throw notYours();
    }
    const lastIDs = new Map<string, number>();
    for (const client of state.clients) {
      if (client.client_group_id !== request.clientGroupID) throw notYours();
      lastIDs.set(client.client_id, client.last_mutation_id);
    }
    checkOrder(request.mutations, lastIDs);

    const working: PushState = { rows: state.rows, changed: new Map<string, Row>(), overwrites: [] };
    const scope = { clientGroupID: request.clientGroupID, user, space, writable, resolve };
    const refused: (Refusal & { readonly key: string | null })[] = [];
    let applied = 0;
    let duplicates = 0;
    for (const mutation of request.mutations) {
      const last = lastIDs.get(mutation.clientID) ?? 0;
      if (mutation.id <= last) {
        duplicates++;
        continue;
      }
      const refusal = apply(mutation, working, scope);
      if (refusal) refused.push({ clientID: mutation.clientID, id: mutation.id, reason: storableReason(refusal.reason), key: refusal.key });
      else applied++;
      lastIDs.set(mutation.clientID, mutation.id);
    }
    if (applied + refused.length === 0) return { outcome: { version: null, applied, duplicates, refused: [] }, change: null };

    const version = current + 1;
    const owners = await writePush(tx, {
      space,
      version,
      clientGroupID: request.clientGroupID,
      working,
      lastMutationIDs: new Map(clientIDs.map((id) => [id, lastIDs.get(id) ?? 0])),
      refused,
      // Whose the overwritten groups are, for their pokes' notes (none asked when pokes carry no change).
      ownersWanted: pokeDataLimit > 0,
    });
    const refusals = refused.map(({ clientID, id, reason }) => ({ clientID, id, reason }));
    const change = changeOf(working, refused, {
      previous: current,
      version,
      clientGroupID: request.clientGroupID,
      owner: user.id,
      lastMutationIDChanges: Object.fromEntries(clientIDs.map((id) => [id, lastIDs.get(id) ?? 0])),
      refused: refusals,
      writable,
      owners,
    });
    return { outcome: { version, applied, duplicates, refused: refusals }, change };
  }

  /** The version's change as a pull from `previous` would send it, or null when it is larger than the pokes may carry. */
  function changeOf(
    working: PushState,
    refused: readonly (Refusal & { readonly key: string | null })[],
    base: {
      readonly previous: number;
      readonly version: number;
      readonly clientGroupID: string;
      /** Whose the pushing group is (the push checked it). */
      readonly owner: string;
      readonly lastMutationIDChanges: Readonly<Record<string, number>>;
      readonly refused: readonly Refusal[];
      /** Whether the pushing group's user may write, as this push checked it: its poke says so, as a pull would. */
      readonly writable: boolean;
      /** Whose each overwritten group is. */
      readonly owners: Readonly<Record<string, string>>;
    },
  ): SpaceChange | null {
    if (pokeDataLimit <= 0) return null;
    const patch: PatchOperation[] = [];
    let bytes = 0;
    for (const [key, row] of working.changed) {
      const op: PatchOperation = row.deleted || row.value === null ? { op: 'del', key } : { op: 'put', key, value: row.value as unknown as JsonValue };
      bytes += JSON.stringify(op).length + 1;
      // Measured as it is built: a large push stops here rather than serialising all of itself.
      if (bytes > pokeDataLimit) return null;
      patch.push(op);
    }
    const gone = [...new Set(refused.flatMap((r) => (r.key !== null && !working.rows.has(r.key) && !working.changed.has(r.key) ? [r.key] : [])))];
    const notes = notesByGroup(working.overwrites);
    const groups = new Map<string, GroupNews>();
    groups.set(base.clientGroupID, groupNews(base.owner, { lastMutationIDChanges: base.lastMutationIDChanges, refused: base.refused, gone, overwritten: notes.get(base.clientGroupID) ?? [], writable: base.writable }));
    for (const [group, overwritten] of notes) {
      if (group !== base.clientGroupID) groups.set(group, groupNews(base.owners[group] ?? null, { lastMutationIDChanges: {}, refused: [], gone: [], overwritten }));
    }
    return { previous: base.previous, version: base.version, patch, bytes, groups, covered: 'all' };
  }

  /**
   * The change a poke of `version` carries: the one this server committed, or else, when a stream
   * names a group, read back from the database (once for all streams). A read that fails is
   * reported, and the pokes carry the version alone.
   */
  function changeAt(space: string, version: number): Promise<SpaceChange | null> {
    const key = changeKey(space, version);
    const own = changes.get(key);
    if (own !== undefined) return Promise.resolve(own);
    const groups = [...(named.get(space)?.keys() ?? [])];
    if (pokeDataLimit <= 0 || groups.length === 0) return Promise.resolve(null);
    let read = reads.get(key);
    if (read === undefined) {
      read = backends
        .of(space)
        .then((backend) => backend.transaction('read', (tx) => readChange(tx, space, version - 1, groups, pokeDataLimit)))
        .catch((error: unknown) => {
          onError({ code: error instanceof BackendUnavailableError ? 'database-unavailable' : 'request-failed', message: `Reading version ${version} of space ${space} for its pokes failed (they carry the version alone): ${String(error)}`, cause: error });
          return null;
        });
      keep(reads, key, read, READS_KEPT);
    }
    return read;
  }

  async function pull(request: PullRequest, context: SyncContext = {}): Promise<PullResponseOK> {
    servesSchemaVersion(request.schemaVersion);
    const { user, space } = caller(request, context);
    const [readable, writable] = await Promise.all([may(user, space, 'read'), may(user, space, 'write')]);
    // Rule 1: nothing of a space its user may not read, not even whether it holds anything.
    // `denied: 'read'` tells a client this 403 is the space's answer (it then closes the space),
    // not one of the others (a hook that threw, rule 7, an origin), after which it keeps its writes.
    if (!readable) throw new ProtocolError('forbidden', `User ${JSON.stringify(user.id)} may not read space ${JSON.stringify(space)}.`, { denied: 'read', space });
    const backend = await backends.of(space);
    const answer = await backend.transaction('read', (tx) => readPull(tx, space, request, user));
    if (answer === 'not-yours') throw notYours();
    // A group seen for the first time becomes this user's, in a write after the read: the answer is
    // sent only once the group is bound to this user, so a concurrent claim of another user's wins
    // or loses whole.
    if (answer.unbound && (await backend.transaction('write', (tx) => bindGroup(tx, space, request.clientGroupID, user))) !== user.id) throw notYours();
    return { ...answer.response, writable };
  }

  async function subscribe(subscriber: PokeSubscriber, onPoke: (poke: CommittedVersion) => void, onGap: () => void): Promise<() => Promise<void>> {
    const user = checkedUser(subscriber.user ?? ANONYMOUS_USER);
    const spaces = [...new Set(subscriber.spaces.map((space) => requireSpace(space)))];
    // A hook that throws is a 403 now rather than a stream that stays silent.
    await Promise.all(spaces.map((space) => may(user, space, 'read')));
    const routed = new Map<SyncBackend, Set<string>>();
    for (const space of spaces) {
      const backend = await backends.of(space);
      routed.set(backend, (routed.get(backend) ?? new Set()).add(space));
    }
    let active = true;
    const groups = subscriber.clientGroups ?? {};
    // Per space, the newest version this stream was poked with, and the poke being sent: in order.
    const sent = new Map<string, number>();
    const queues = new Map<string, Promise<void>>();
    const pokeOnce = async (space: string, version: number) => {
      if (version <= (sent.get(space) ?? 0)) return;
      // Asked again before every poke: a reader whose permission was revoked stops hearing at once.
      // A check that throws is reported by the check; a poke is only a hint, so it is not sent.
      const readable = await may(user, space, 'read').catch(() => false);
      if (!readable || !active) return;
      const group = Object.hasOwn(groups, space) ? groups[space] : undefined;
      const change = group === undefined ? null : await changeAt(space, version);
      const poke = change === null ? null : changeFor(change, group, user, pokeDataLimit);
      // A change read back may reach past `version`: the poke names the version it brings the client to.
      const reached = poke === null || change === null ? version : change.version;
      if (!active || reached <= (sent.get(space) ?? 0)) return;
      sent.set(space, reached);
      // The writer's own poke (it carries the group's acknowledgements) brings nothing it does not
      // already show: it goes one turn of the event loop after the readers' pokes of the version,
      // which bring them the change. Pokes of one stream keep their order (they queue per space).
      if (poke !== null && Object.keys(poke.lastMutationIDChanges).length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (!active) return;
      }
      onPoke({ space, version: reached, change: poke });
    };
    const hear = (space: string, version: number) => {
      const next = (queues.get(space) ?? Promise.resolve()).then(() => pokeOnce(space, version));
      queues.set(space, next);
    };
    for (const [space, group] of Object.entries(groups)) {
      const counts = named.get(space) ?? new Map<string, number>();
      counts.set(group, (counts.get(group) ?? 0) + 1);
      named.set(space, counts);
    }
    const unname = () => {
      for (const [space, group] of Object.entries(groups)) {
        const counts = named.get(space);
        const count = (counts?.get(group) ?? 0) - 1;
        if (count > 0) counts?.set(group, count);
        else counts?.delete(group);
        if (counts?.size === 0) named.delete(space);
      }
    };
    const stops: (() => Promise<void>)[] = [];
    const stop = async () => {
      if (active) unname();
      active = false;
      await Promise.all(stops.splice(0).map((unsubscribe) => unsubscribe()));
    };
    try {
      // Per database, only its own spaces: two routes to one database must not poke twice.
      for (const [backend, own] of routed) {
        stops.push(
          await backend.onPublish((space, version) => {
            if (own.has(space)) hear(space, version);
          }, onGap),
        );
      }
    } catch (error) {
      await stop();
      throw error;
    }
    return stop;
  }

  return {
    push,
    pull,
    digest: (request, context = {}) => digest(request, checkedUser(context.user ?? ANONYMOUS_USER), requireSpace(context.space ?? DEFAULT_SPACE)),
    subscribe,
    snapshot: async ({ spaces = [DEFAULT_SPACE] } = {}, context = {}) => snapshot([...new Set(spaces.map((space) => requireSpace(space)))], checkedUser(context.user ?? ANONYMOUS_USER)),
    close: () => backends.close(),
  };
}

function changeKey(space: string, version: number): string {
  return `${version}@${space}`;
}

/** Sets `key`, dropping the oldest entries past `kept`. */
function keep<V>(map: Map<string, V>, key: string, value: V, kept: number): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= kept) break;
    map.delete(oldest);
  }
}

/**
 * Takes the space's row lock and answers its version. The row is created by the space's first push;
 * the plain `FOR UPDATE` is the common case (an upsert writes a row version every time).
 */
async function lockSpace(tx: SqlExecutor, space: string): Promise<number> {
  const [row] = await tx.query<{ version: number }>(`SELECT version FROM kalphite_spaces WHERE space_id = $1 FOR UPDATE`, [space]);
  if (row) return row.version;
  const [created] = await tx.query<{ version: number }>(
    `INSERT INTO kalphite_spaces (space_id, version) VALUES ($1, 0)
     ON CONFLICT (space_id) DO UPDATE SET version = kalphite_spaces.version RETURNING version`,
    [space],
  );
  return created!.version;
}

/** The caller and space of a request; a body that names another space than the route is a 400. */
function caller(request: PushRequest | PullRequest, context: SyncContext): { user: SyncUser; space: string } {
  const user = checkedUser(context.user ?? ANONYMOUS_USER);
  const space = requireSpace(context.space ?? DEFAULT_SPACE);
  if (request.space !== undefined && request.space !== space) {
    throw new ProtocolError('invalid-request', `Invalid request: the body names space ${JSON.stringify(request.space)}, the route ${JSON.stringify(space)} (?space=).`);
  }
  return { user, space };
}

function checkedUser(user: SyncUser): SyncUser {
  const problem = userProblem(user);
  if (problem) throw new ProtocolError('unauthorized', `Invalid user: ${problem}.`);
  return user;
}

/**
 * Binds a client group seen for the first time to `user`, and answers whose it is now: a concurrent
 * first request of another user may have bound it first (each statement reads what is committed).
 */
async function bindGroup(tx: SqlExecutor, space: string, clientGroupID: string, user: SyncUser): Promise<string | null> {
  const [bound] = await tx.query<{ user_id: string }>(
    `INSERT INTO kalphite_client_groups (space_id, client_group_id, user_id) VALUES ($1, $2, $3)
     ON CONFLICT (space_id, client_group_id) DO NOTHING RETURNING user_id`,
    [space, clientGroupID, user.id],
  );
  if (bound) return bound.user_id;
  const [owner] = await tx.query<{ user_id: string }>(`SELECT user_id FROM kalphite_client_groups WHERE space_id = $1 AND client_group_id = $2`, [space, clientGroupID]);
  return owner?.user_id ?? null;
}

/** A pull's reads, in one snapshot; `not-yours` before anything is read when another user owns the group. */
async function readPull(tx: SqlExecutor, space: string, request: PullRequest, user: SyncUser): Promise<'not-yours' | { unbound: boolean; response: PullResponseOK }> {
  const [head] = await tx.query<{ version: number | null; owner: string | null }>(
    `SELECT (SELECT version FROM kalphite_spaces WHERE space_id = $1) AS version,
            (SELECT user_id FROM kalphite_client_groups WHERE space_id = $1 AND client_group_id = $2) AS owner`,
    [space, request.clientGroupID],
  );
  const owner = head?.owner ?? null;
  if (owner !== null && owner !== user.id) return 'not-yours';
  const version = head?.version ?? 0;
  const unbound = owner === null;
  // A cookie from the future (the server lost its data, or another server): start over.
  const cookie: Cookie = cookieOrder(request.cookie) > version ? null : request.cookie;
  const limit = request.limit ?? null;
  const params: unknown[] = [space, cookie === null ? -1 : cookieOrder(cookie)];
  let where = cookie === null ? 'version > $2 AND NOT deleted' : 'version > $2';
  if (cookie !== null && typeof cookie !== 'number') {
    params.push(cookie.key);
    where = `(version, key) > ($2, $${params.length})`;
  }
  if (limit !== null) params.push(limit + 1);
  const rows = await tx.query<{ key: string; value: JsonValue | null; version: number; deleted: boolean }>(
    `SELECT key, value, version, deleted FROM kalphite_entities WHERE space_id = $1 AND ${where}
     ORDER BY version, key ${limit === null ? '' : `LIMIT $${params.length}`}`,
    params,
  );
  const more = limit !== null && rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const patch: PatchOperation[] = cookie === null ? [{ op: 'clear' }] : [];
  for (const row of page) patch.push(row.deleted || row.value === null ? { op: 'del', key: row.key } : { op: 'put', key: row.key, value: row.value });
  const last = page[page.length - 1];
  if (more && last) return { unbound, response: { cookie: { order: last.version, key: last.key }, lastMutationIDChanges: {}, patch, more: true } };

  // Mutation ids only on the last page, so a client never acknowledges what it has not yet seen.
  const sinceClients = cookie === null || typeof cookie !== 'number' ? -1 : cookie;
  const clients = await tx.query<{ client_id: string; last_mutation_id: number }>(
    `SELECT client_id, last_mutation_id FROM kalphite_clients WHERE space_id = $1 AND client_group_id = $2 AND version > $3`,
    [space, request.clientGroupID, sinceClients],
  );
  const lastMutationIDChanges: Record<string, number> = {};
  for (const client of clients) lastMutationIDChanges[client.client_id] = client.last_mutation_id;
  // A refused create of an id the server never stored: a del, so the writer's optimistic copy goes
  // (after a clear there is nothing to delete).
  const refusals = await tx.query<{ client_id: string; mutation_id: number; reason: string; unknown_key: string | null }>(
    `SELECT r.client_id, r.mutation_id, r.reason, CASE WHEN e.key IS NULL THEN r.entity_key END AS unknown_key
     FROM kalphite_refusals r LEFT JOIN kalphite_entities e ON e.space_id = r.space_id AND e.key = r.entity_key
     WHERE r.space_id = $1 AND r.client_group_id = $2 AND r.version > $3 ORDER BY r.version, r.client_id, r.mutation_id`,
    [space, request.clientGroupID, sinceClients],
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
  // This group's writes that a later patch overwrote without having seen them.
  const overwrites = await tx.query<{ client_id: string; mutation_id: number; entity_key: string; fields: string[] }>(
    `SELECT client_id, mutation_id, entity_key, fields FROM kalphite_overwrites
     WHERE space_id = $1 AND client_group_id = $2 AND version > $3 ORDER BY version, client_id, mutation_id, entity_key`,
    [space, request.clientGroupID, sinceClients],
  );
  const overwritten: Overwritten[] = overwrites.map((o) => ({ clientID: o.client_id, id: o.mutation_id, key: o.entity_key, fields: o.fields }));
  return { unbound, response: { cookie: version, lastMutationIDChanges, patch, ...(refused.length > 0 && { refused }), ...(overwritten.length > 0 && { overwritten }) } };
}

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

interface ClientRow {
  readonly client_id: string;
  readonly client_group_id: string;
  readonly last_mutation_id: number;
}

/**
 * Whose the client group is, the pushing clients' last mutation ids and the current rows of every
 * entity the push touches, in one query. Runs after the space's lock, so it sees every earlier push.
 */
async function loadState(
  tx: SqlExecutor,
  space: string,
  clientGroupID: string,
  clientIDs: readonly string[],
  mutations: readonly Mutation[],
): Promise<{ owner: string | null; clients: readonly ClientRow[]; rows: Map<string, Row> }> {
  const keys = new Set<string>();
  // Only keys PostgreSQL can hold: a mutation naming any other is refused without a lookup.
  for (const m of mutations) if (isRecord(m.args) && idProblem(m.args.id) === null) keys.add(m.args.id as string);
  const [state] = await tx.query<{ owner: string | null; clients: ClientRow[]; rows: (Row & { key: string; value: Entity | null })[] }>(
    `SELECT
       (SELECT user_id FROM kalphite_client_groups WHERE space_id = $1 AND client_group_id = $2) AS owner,
       (SELECT coalesce(json_agg(json_build_object('client_id', client_id, 'client_group_id', client_group_id, 'last_mutation_id', last_mutation_id)), '[]'::json)
          FROM kalphite_clients WHERE space_id = $1 AND client_id = ANY($3::text[])) AS clients,
       (SELECT coalesce(json_agg(json_build_object('key', key, 'type', type, 'value', value, 'deleted', deleted, 'writers', writers)), '[]'::json)
          FROM kalphite_entities WHERE space_id = $1 AND key = ANY($4::text[])) AS rows`,
    [space, clientGroupID, clientIDs, [...keys]],
  );
  const rows = new Map<string, Row>();
  for (const row of state?.rows ?? []) rows.set(row.key, { type: row.type, value: row.value, deleted: row.deleted, writers: row.writers });
  return { owner: state?.owner ?? null, clients: state?.clients ?? [], rows };
}
