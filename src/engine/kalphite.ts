import type { PGliteInterface } from '@electric-sql/pglite';
import type { BackoffOptions } from './backoff.js';
import { BatchQueue } from './tabs/batch-queue.js';
import type { Entity } from './store/entity.js';
import { resolveEnvironment, type Environment } from './environment.js';
import { KalphiteError } from './errors.js';
import { EventBus, type Listener } from './event-bus.js';
import type { EmitEvent, KalphiteEvent, TabRole } from './events.js';
import { Flusher, type FlusherSnapshot } from './persist/flusher.js';
import { LocalDb, type ChangeLogEntry } from './persist/local-db.js';
import { adoptExternal } from './store/adopt.js';
import { MemoryStore, type KalphiteStore } from './store/store.js';
import { SyncClient, type KalphiteSync, type SyncStatus } from './sync/sync-client.js';
import { browserTabLink, type TabLink } from './tabs/tab-link.js';
import { TabSession, type Leadership } from './tabs/tab-session.js';

export interface KalphiteOptions {
  /** `memory://` (default), `idb://name` in browsers, or a folder path in Node. */
  readonly dataDir?: string;
  /** Use this PGlite instead of opening `dataDir` (the caller owns and closes it). */
  readonly pglite?: PGliteInterface;
  /** Quiet time after the last write before a flush (default 100 ms). */
  readonly flushDelayMs?: number;
  /** Longest a write waits for a flush while writes keep coming (default 1000 ms). */
  readonly flushMaxWaitMs?: number;
  /** Backoff for failed flushes (default 100 ms doubling up to 30 s, with jitter). */
  readonly flushRetry?: Partial<BackoffOptions>;
  /** Base URL of a Kalphite sync server's routes (e.g. `https://example.com/api/sync`); no sync without it. */
  readonly syncUrl?: string;
  /** Quiet time after a flush before pushing (default 1000 ms). */
  readonly pushDelayMs?: number;
  /** Pull this often even without pokes (default 5000 ms). */
  readonly pullIntervalMs?: number;
  /** Entries per pull response page (default 1000). */
  readonly pullPageSize?: number;
  /** Listen for server pokes (server-sent events) to pull at once (default true). */
  readonly poke?: boolean;
  /**
   * The largest push request body (default 1 MiB, the server's default limit); a 413 lowers it to
   * the server's. `entities.set` refuses an entity that could not fit in one.
   */
  readonly maxPushBytes?: number;
  /** Backoff for failed sync requests (default 500 ms doubling up to 30 s, with jitter). */
  readonly syncRetry?: Partial<BackoffOptions>;
  /** Headers for every sync request (e.g. authorization), asked for before each. */
  readonly syncHeaders?: () => Record<string, string> | Promise<Record<string, string>>;
  /** The fetch to sync with (default `globalThis.fetch`). */
  readonly fetch?: typeof fetch;
  /** How many recent events `instance.events` keeps (default 200). */
  readonly eventHistory?: number;
  /** Clock, timers, randomness and page-hide hook; browser/Node defaults. */
  readonly environment?: Partial<Environment>;
  /**
   * How tabs sharing `dataDir` coordinate (one leader holds the local db and syncs; every tab keeps
   * all entities in memory). Default: Web Locks + BroadcastChannel for `idb://` in browsers; `false`
   * makes this engine the only one (it must then be alone on its `dataDir`).
   */
  readonly tabs?: TabLink | false;
}

/** A plain, synchronous picture of the engine for devtools and tests. */
export interface KalphiteInspection {
  readonly clientId: string;
  readonly clientGroupId: string;
  readonly dataDir: string;
  readonly closed: boolean;
  readonly version: number;
  /** This tab's role among the tabs sharing `dataDir`, and how many there are (1 without tabs). */
  readonly tabs: { readonly role: TabRole; readonly count: number };
  readonly entityCount: number;
  readonly countsByType: Readonly<Record<string, number>>;
  readonly flush: FlusherSnapshot;
  readonly outbox: { readonly length: number; readonly lastMutationId: number };
  readonly sync: SyncStatus | null;
  /** The newest failure (flush, push, pull, takeover) that has not been followed by a success of its kind. */
  readonly lastError: { readonly code: string; readonly message: string; readonly at: number } | null;
}

/** One engine: memory store, flusher and local db (and, later, sync). */
export interface Kalphite {
  readonly store: KalphiteStore;
  /** Layer 4, when `syncUrl` is set. */
  readonly sync: KalphiteSync | null;
  /** This engine's sync client (a new one each time an engine opens, as a tab is). */
  readonly clientId: string;
  /** The client group: the local database, shared by every engine (tab) that opens it. */
  readonly clientGroupId: string;
  readonly dataDir: string;
  readonly closed: boolean;
  /** Recent events, oldest first. */
  readonly events: readonly KalphiteEvent[];
  subscribe(listener: Listener<KalphiteEvent>): () => void;
  inspect(): KalphiteInspection;
  /** Persists every write made so far; resolves once it is in the local db. */
  flush(): Promise<void>;
  /** The newest local changes (outbox rows, acknowledged or not), newest first, for the devtools. */
  changeLog(options?: { readonly limit?: number }): Promise<readonly ChangeLogEntry[]>;
  /**
   * Throws away everything local (memory, pending flushes, unacknowledged changes, cookie) and
   * starts again as a new client, pulling the server's state afresh. Unsynced writes are lost.
   */
  reset(): Promise<void>;
  /** Flushes, stops every timer and closes the local db. Writes afterwards throw `closed`. */
  close(): Promise<void>;
}

const DEFAULTS = {
  flushDelayMs: 100,
  flushMaxWaitMs: 1000,
  retry: { baseMs: 100, maxMs: 30_000 },
  eventHistory: 200,
  pushDelayMs: 1000,
  pullIntervalMs: 5000,
  pullPageSize: 1000,
  maxPushBytes: 1024 * 1024,
  syncRetry: { baseMs: 500, maxMs: 30_000 },
};

/** Room in a push body for its envelope and one mutation's fields around the entity. */
const PUSH_ENVELOPE_BYTES = 1024;

/** Opens the local db, loads every entity into memory, and resolves to a ready engine. */
export async function createKalphite(options: KalphiteOptions = {}): Promise<Kalphite> {
  const flushDelayMs = nonNegative('flushDelayMs', options.flushDelayMs ?? DEFAULTS.flushDelayMs);
  const flushMaxWaitMs = nonNegative('flushMaxWaitMs', options.flushMaxWaitMs ?? DEFAULTS.flushMaxWaitMs);
  const retry: BackoffOptions = {
    baseMs: nonNegative('flushRetry.baseMs', options.flushRetry?.baseMs ?? DEFAULTS.retry.baseMs),
    maxMs: nonNegative('flushRetry.maxMs', options.flushRetry?.maxMs ?? DEFAULTS.retry.maxMs),
  };
  const historySize = nonNegative('eventHistory', options.eventHistory ?? DEFAULTS.eventHistory);
  const syncTimings = {
    pushDelayMs: nonNegative('pushDelayMs', options.pushDelayMs ?? DEFAULTS.pushDelayMs),
    pullIntervalMs: nonNegative('pullIntervalMs', options.pullIntervalMs ?? DEFAULTS.pullIntervalMs),
    pullPageSize: Math.max(1, Math.floor(nonNegative('pullPageSize', options.pullPageSize ?? DEFAULTS.pullPageSize))),
    maxPushBytes: nonNegative('maxPushBytes', options.maxPushBytes ?? DEFAULTS.maxPushBytes),
    retry: {
      baseMs: nonNegative('syncRetry.baseMs', options.syncRetry?.baseMs ?? DEFAULTS.syncRetry.baseMs),
      maxMs: nonNegative('syncRetry.maxMs', options.syncRetry?.maxMs ?? DEFAULTS.syncRetry.maxMs),
    },
  };
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (options.syncUrl !== undefined && typeof fetchImpl !== 'function') {
    throw new KalphiteError('invalid-options', 'syncUrl needs a fetch: pass the fetch option where there is no global fetch.');
  }
  const env = resolveEnvironment(options.environment);

  const bus = new EventBus<KalphiteEvent>();
  const history: KalphiteEvent[] = [];
  // Each kind's failure until that kind succeeds again: recovered errors are history, not status.
  const failures = new Map<string, NonNullable<KalphiteInspection['lastError']>>();
  const emit: EmitEvent = (partial) => {
    const event = { ...partial, at: env.now() } as KalphiteEvent;
    if (event.type === 'flush:failed' || event.type === 'sync:request-failed' || event.type === 'tabs:takeover-failed') {
      failures.set(event.type === 'sync:request-failed' ? event.kind : event.type, { code: event.error.code, message: event.error.message, at: event.at });
    } else if (event.type === 'flush:committed') failures.delete('flush:failed');
    else if (event.type === 'sync:push-succeeded') failures.delete('push');
    else if (event.type === 'sync:pull-succeeded') failures.delete('pull');
    if (historySize > 0) {
      history.push(event);
      if (history.length > historySize) history.splice(0, history.length - historySize);
    }
    bus.emit(event);
  };

  const dataDir = options.dataDir ?? 'memory://';
  // This tab's sync client id; a reset makes it a new client (of a new group).
  let clientId = env.randomId();
  const link = options.tabs === false ? null : (options.tabs ?? (dataDir.startsWith('idb://') ? browserTabLink() : null));

  if (syncTimings.maxPushBytes < 2 * PUSH_ENVELOPE_BYTES) throw new KalphiteError('invalid-options', `Option maxPushBytes must be at least ${2 * PUSH_ENVELOPE_BYTES}.`);
  const store = new MemoryStore({ maxEntityBytes: syncTimings.maxPushBytes - PUSH_ENVELOPE_BYTES });
  const writer = new BatchQueue();
  const flusher = new Flusher({ read: (id) => store.entities.get(id), db: writer, env, emit, delayMs: flushDelayMs, maxWaitMs: flushMaxWaitMs, retry });
  store.onLocalCommit((changed) => flusher.enqueue(changed));
  store.subscribe((commit) => emit({ type: 'store:changed', origin: commit.origin, tag: commit.tag, version: commit.version, changes: commit.changes }));

  let db: LocalDb | null = null;
  let sync: SyncClient | null = null;

  /** This tab takes the local db: opens it and makes (but does not start) its sync client. */
  const lead = async (): Promise<Leadership> => {
    const openedAt = env.now();
    const opened = await LocalDb.open({
      dataDir,
      clientId,
      ...(options.pglite !== undefined && { pglite: options.pglite }),
      randomId: env.randomId,
      now: env.now,
      emit,
    });
    let entities: Entity[];
    try {
      entities = await opened.loadEntities();
    } catch (error) {
      await opened.close();
      throw error;
    }
    db = opened;
    emit({ type: 'db:opened', dataDir: opened.dataDir, durationMs: env.now() - openedAt, entityCount: entities.length, clientId, clientGroupId: opened.clientGroupId, schemaVersion: opened.schemaVersion });
    if (options.syncUrl !== undefined) {
      sync = new SyncClient({
        url: options.syncUrl.replace(/\/$/, ''),
        ...syncTimings,
        pushBatchSize: 500,
        poke: options.poke ?? true,
        fetch: fetchImpl,
        headers: options.syncHeaders ?? (() => ({})),
        outbox: opened,
        mirror: {
          get: (id) => store.entities.get(id),
          ids: () => store.entities.keys(),
          isPending: (id) => flusher.isPending(id),
          adopt: (writes) => adoptExternal(store, writes, (id) => flusher.isPending(id), 'server').length,
        },
        env,
        emit,
      });
    }
    return { db: opened, entities, sync };
  };

  const tabs = await TabSession.open({
    link,
    name: `kalphite:${dataDir}`,
    clientId: () => clientId,
    store,
    isPending: (id) => flusher.isPending(id),
    writer,
    syncs: options.syncUrl !== undefined,
    env,
    emit,
    subscribe: bus.subscribe,
    lead,
  });

  // A follower's sync is the leader's, seen from here.
  const currentSync = (): KalphiteSync | null => sync ?? (tabs.role === 'follower' ? tabs.followerSync : null);

  const flush = async (): Promise<void> => {
    store.notifyNow();
    await flusher.flush();
  };
  // A failed page-hide flush is reported as a flush:failed event and retried by the flusher.
  const stopPageHide = env.onPageHide(() => void flush().catch(() => {}));

  let closed = false;
  let closing: Promise<void> | null = null;
  const assertOpen = () => {
    if (closed || closing) throw new KalphiteError('closed', 'This Kalphite instance is closed.');
  };
  const leaderDb = (): LocalDb => {
    assertOpen();
    if (!db) throw new KalphiteError('not-leader', 'Only the leader tab holds the local database: ask it there.');
    return db;
  };

  const reset = async (): Promise<void> => {
    const local = leaderDb();
    // Other tabs' clients belong to the old group on the server: they would be refused under a new one.
    if (tabs.followers > 0) throw new KalphiteError('not-leader', `Close the other ${tabs.followers} tab(s) on this database before resetting it.`);
    const wasPaused = sync?.status.paused ?? true;
    sync?.pause();
    await Promise.all([flusher.settled(), sync?.settled()]);
    // From here to db.reset nothing awaits: a write made meanwhile lands in the fresh database.
    const ids = Array.from(store.entities.keys());
    const droppedChanges = local.outboxLength + flusher.snapshot().pending.length;
    store.applyExternal(ids.map((id) => [id, undefined] as const), 'server');
    flusher.discard();
    const newGroupId = env.randomId();
    clientId = env.randomId();
    await local.reset(newGroupId, clientId);
    sync?.forgetAcknowledged();
    emit({ type: 'db:reset', clientId, clientGroupId: newGroupId, droppedEntities: ids.length, droppedChanges });
    if (!wasPaused) sync?.resume();
  };

  return {
    store,
    get sync() {
      return currentSync();
    },
    get clientId() {
      return clientId;
    },
    get clientGroupId() {
      return tabs.clientGroupId;
    },
    dataDir,
    get closed() {
      return closed;
    },
    get events() {
      return history.slice();
    },
    subscribe: bus.subscribe,
    inspect: () => ({
      clientId,
      clientGroupId: tabs.clientGroupId,
      dataDir,
      closed,
      version: store.version,
      entityCount: store.entities.size,
      countsByType: store.countsByType(),
      flush: flusher.snapshot(),
      // A follower has no outbox of its own: it shows the leader's, which holds every tab's changes.
      outbox: { length: db?.outboxLength ?? tabs.followerSync?.status.unacknowledged ?? 0, lastMutationId: db?.lastMutationId ?? writer.lastMutationId },
      sync: currentSync()?.status ?? null,
      tabs: { role: tabs.role, count: tabs.tabs },
      lastError: [...failures.values()].reduce<KalphiteInspection['lastError']>((newest, e) => (newest === null || e.at > newest.at ? e : newest), null),
    }),
    flush,
    changeLog: async ({ limit = 500 } = {}) => leaderDb().changeLog(limit),
    reset,
    close: () =>
      (closing ??= (async () => {
        stopPageHide();
        store.refuseWrites('This Kalphite instance is closed.');
        // A follower's last writes need a leader's answer; with none (it failed to take over), give up
        // after a while and say so rather than hang.
        const giveUp = tabs.role === 'follower' ? env.setTimeout(() => writer.abandon('No leader tab answered before this tab closed: its last writes were not persisted.'), FOLLOWER_CLOSE_WAIT_MS) : null;
        try {
          await flush();
        } finally {
          if (giveUp !== null) env.clearTimeout(giveUp);
          await sync?.close();
          flusher.stop();
          tabs.close();
          writer.abandon('This Kalphite instance is closed.');
          closed = true;
          await db?.close();
          emit({ type: 'engine:closed' });
          bus.clear();
        }
      })()),
  };
}

/** How long a closing follower waits for the leader to persist its last writes. */
const FOLLOWER_CLOSE_WAIT_MS = 3000;

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new KalphiteError('invalid-options', `Option ${name} must be a finite number >= 0 (got ${String(value)}).`);
  }
  return value;
}
