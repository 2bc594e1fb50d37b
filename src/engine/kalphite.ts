import type { PGliteInterface } from '@electric-sql/pglite';
import type { BackoffOptions } from './backoff.js';
import { resolveEnvironment, type Environment } from './environment.js';
import { KalphiteError } from './errors.js';
import { EventBus, type Listener } from './event-bus.js';
import type { EmitEvent, KalphiteEvent } from './events.js';
import { Flusher, type FlusherSnapshot } from './flusher.js';
import { LocalDb, type ChangeLogEntry } from './local-db.js';
import { MemoryStore, type KalphiteStore } from './store.js';
import { SyncClient, type KalphiteSync, type SyncStatus } from './sync-client.js';

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
}

/** A plain, synchronous picture of the engine for devtools and tests. */
export interface KalphiteInspection {
  readonly clientId: string;
  readonly clientGroupId: string;
  readonly dataDir: string;
  readonly closed: boolean;
  readonly version: number;
  readonly entityCount: number;
  readonly countsByType: Readonly<Record<string, number>>;
  readonly flush: FlusherSnapshot;
  readonly outbox: { readonly length: number; readonly lastMutationId: number };
  readonly sync: SyncStatus | null;
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
  syncRetry: { baseMs: 500, maxMs: 30_000 },
};

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
  let lastError: KalphiteInspection['lastError'] = null;
  const emit: EmitEvent = (partial) => {
    const event = { ...partial, at: env.now() } as KalphiteEvent;
    if (event.type === 'flush:failed' || event.type === 'sync:request-failed') lastError = { code: event.error.code, message: event.error.message, at: event.at };
    if (historySize > 0) {
      history.push(event);
      if (history.length > historySize) history.splice(0, history.length - historySize);
    }
    bus.emit(event);
  };

  const openedAt = env.now();
  const db = await LocalDb.open({
    ...(options.dataDir !== undefined && { dataDir: options.dataDir }),
    ...(options.pglite !== undefined && { pglite: options.pglite }),
    randomId: env.randomId,
    now: env.now,
    emit,
  });
  const store = new MemoryStore();
  try {
    store.load(await db.loadEntities());
  } catch (error) {
    await db.close();
    throw error;
  }
  emit({
    type: 'db:opened',
    dataDir: db.dataDir,
    durationMs: env.now() - openedAt,
    entityCount: store.entities.size,
    clientId: db.clientId,
    clientGroupId: db.clientGroupId,
    schemaVersion: db.schemaVersion,
  });

  const flusher = new Flusher({ read: (id) => store.entities.get(id), db, env, emit, delayMs: flushDelayMs, maxWaitMs: flushMaxWaitMs, retry });
  store.onLocalCommit((changed) => flusher.enqueue(changed));
  store.subscribe((commit) => emit({ type: 'store:changed', origin: commit.origin, tag: commit.tag, version: commit.version, changes: commit.changes }));

  const sync =
    options.syncUrl === undefined
      ? null
      : new SyncClient({
          url: options.syncUrl.replace(/\/$/, ''),
          ...syncTimings,
          pushBatchSize: 500,
          poke: options.poke ?? true,
          fetch: fetchImpl,
          headers: options.syncHeaders ?? (() => ({})),
          db,
          store,
          flusher,
          env,
          emit,
        });
  if (sync) {
    bus.subscribe((event) => {
      if (event.type === 'flush:committed') sync.schedulePush();
    });
    sync.start();
  }

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

  const reset = async (): Promise<void> => {
    assertOpen();
    const wasPaused = sync?.status.paused ?? true;
    sync?.pause();
    await Promise.all([flusher.settled(), sync?.settled()]);
    // From here to db.reset nothing awaits: a write made meanwhile lands in the fresh database.
    const ids = Array.from(store.entities.keys());
    const droppedChanges = db.outboxLength + flusher.snapshot().pending.length;
    store.applyExternal(ids.map((id) => [id, undefined] as const));
    flusher.discard();
    const clientGroupId = env.randomId();
    const clientId = env.randomId();
    await db.reset(clientGroupId, clientId);
    sync?.forgetAcknowledged();
    emit({ type: 'db:reset', clientId, clientGroupId, droppedEntities: ids.length, droppedChanges });
    if (!wasPaused) sync?.resume();
  };

  return {
    store,
    sync,
    get clientId() {
      return db.clientId;
    },
    get clientGroupId() {
      return db.clientGroupId;
    },
    dataDir: db.dataDir,
    get closed() {
      return closed;
    },
    get events() {
      return history.slice();
    },
    subscribe: bus.subscribe,
    inspect: () => ({
      clientId: db.clientId,
      clientGroupId: db.clientGroupId,
      dataDir: db.dataDir,
      closed,
      version: store.version,
      entityCount: store.entities.size,
      countsByType: store.countsByType(),
      flush: flusher.snapshot(),
      outbox: { length: db.outboxLength, lastMutationId: db.lastMutationId },
      sync: sync?.status ?? null,
      lastError,
    }),
    flush,
    changeLog: async ({ limit = 500 } = {}) => {
      assertOpen();
      return db.changeLog(limit);
    },
    reset,
    close: () =>
      (closing ??= (async () => {
        stopPageHide();
        store.refuseWrites('This Kalphite instance is closed.');
        try {
          await flush();
        } finally {
          await sync?.close();
          flusher.stop();
          closed = true;
          await db.close();
          emit({ type: 'engine:closed' });
          bus.clear();
        }
      })()),
  };
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new KalphiteError('invalid-options', `Option ${name} must be a finite number >= 0 (got ${String(value)}).`);
  }
  return value;
}
