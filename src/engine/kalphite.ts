import type { PGliteInterface } from '@electric-sql/pglite';
import type { BackoffOptions } from './backoff.js';
import { resolveEnvironment, type Environment } from './environment.js';
import { jsonEqual } from '../protocol/json.js';
import { BatchWriter, type BatchTarget } from './batch-writer.js';
import type { Entity } from './entity.js';
import { KalphiteError, toKalphiteError } from './errors.js';
import { EventBus, type Listener } from './event-bus.js';
import type { EmitEvent, KalphiteEvent, TabRole } from './events.js';
import { Flusher, type FlusherSnapshot } from './flusher.js';
import { FollowerSync, fromPlainError, toPlainError, type SyncCall } from './follower-sync.js';
import { LocalDb, type ChangeLogEntry, type FlushOp } from './local-db.js';
import { MemoryStore, type KalphiteStore } from './store.js';
import { SyncClient, type KalphiteSync, type SyncStatus, type Verification } from './sync-client.js';
import { browserTabLink, type TabLink } from './tab-link.js';
import { parseTabMessage, type ForwardedEvent, type TabChange, type TabMessage } from './tab-messages.js';

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
    if (event.type === 'flush:failed' || event.type === 'sync:request-failed' || event.type === 'tabs:takeover-failed') lastError = { code: event.error.code, message: event.error.message, at: event.at };
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
  const lockName = `kalphite:${dataDir}`;
  const channel = link?.channel(lockName) ?? null;

  const store = new MemoryStore();
  const writer = new BatchWriter();
  const flusher = new Flusher({ read: (id) => store.entities.get(id), db: writer, env, emit, delayMs: flushDelayMs, maxWaitMs: flushMaxWaitMs, retry });
  store.onLocalCommit((changed) => flusher.enqueue(changed));

  let db: LocalDb | null = null;
  let sync: SyncClient | null = null;
  // A follower's `sync`: the leader's, seen from here.
  const followerSync =
    channel && options.syncUrl !== undefined
      ? new FollowerSync((call, id) => channel.post({ kind: 'sync-call', from: clientId, id, call } satisfies TabMessage), () => clientId, idleStatus())
      : null;
  let role: TabRole = 'follower';
  const followers = new Set<string>();
  let tabCount = 1;
  const setTabs = (nextRole: TabRole, count: number) => {
    if (role === nextRole && tabCount === count) return;
    role = nextRole;
    tabCount = count;
    emit({ type: 'tabs:changed', role, tabs: tabCount });
  };

  store.subscribe((commit) => {
    emit({ type: 'store:changed', origin: commit.origin, tag: commit.tag, version: commit.version, changes: commit.changes });
    if (!channel) return;
    const changes = commit.changes.map((c) => [c.id, c.after ?? null] as const);
    // Own writes go to every tab at once; the leader also passes on what sync pulled into the local db.
    if (commit.origin === 'local') channel.post({ kind: 'changes', from: clientId, changes } satisfies TabMessage);
    else if (role === 'leader' && commit.tag !== TAB_TAG) channel.post({ kind: 'persisted', from: clientId, changes } satisfies TabMessage);
  });

  /** Takes on another tab's (or the local db's) values, except where this tab has a write on the way. */
  const adopt = (changes: Iterable<TabChange>) => {
    const writes: [string, Entity | undefined][] = [];
    for (const [id, entity] of changes) if (!flusher.isPending(id) && !jsonEqual(store.entities.get(id) ?? null, entity)) writes.push([id, entity ?? undefined]);
    store.applyExternal(writes, TAB_TAG);
  };
  /** Makes memory equal `entities` (a snapshot of the truth), keeping this tab's writes on the way. */
  const reconcile = (entities: readonly Entity[]) => {
    const truth = new Map(entities.map((e) => [e.id, e]));
    const changes: TabChange[] = [...truth].map(([id, e]) => [id, e]);
    for (const id of store.entities.keys()) if (!truth.has(id)) changes.push([id, null]);
    adopt(changes);
  };

  /** Leader only: writes one numbered batch of any tab to the local db and tells every tab. */
  const persist = async (ops: readonly FlushOp[], writerId: string, batch: number): Promise<number | null> => {
    const local = db;
    if (!local) throw new KalphiteError('not-leader', 'This tab does not hold the local database.');
    const last = await local.writeBatch(ops, { clientId: writerId, batch });
    if (last !== null) {
      const changes = ops.map((op) => [op.id, op.entity] as const);
      if (writerId !== clientId) adopt(changes);
      channel?.post({ kind: 'persisted', from: clientId, changes } satisfies TabMessage);
      sync?.schedulePush();
    }
    return last;
  };
  const toLocalDb: BatchTarget = (ops, batch) => {
    persist(ops, clientId, batch).then(
      (lastMutationId) => writer.settle(batch, { lastMutationId }),
      (error: unknown) => writer.settle(batch, { error: toKalphiteError('db-failed', error) }),
    );
  };
  const toLeader: BatchTarget = (ops, batch) => channel?.post({ kind: 'batch', from: clientId, clientId, batch, ops } satisfies TabMessage);

  /** Leader only: runs a follower's sync call and answers it. */
  const answerSyncCall = (to: string, id: number, call: SyncCall) => {
    const answer = (result: Verification | null, error: KalphiteError | null) =>
      channel?.post({ kind: 'sync-answer', from: clientId, to, id, result, error: error && toPlainError(error) } satisfies TabMessage);
    if (!sync) return answer(null, new KalphiteError('invalid-options', 'The leader tab does not sync (no syncUrl).'));
    const running: Promise<Verification | null> =
      call === 'push' ? sync.push().then(() => null)
      : call === 'pull' ? sync.pull().then(() => null)
      : call === 'verify' ? sync.verify()
      : Promise.resolve(null).then(() => {
          if (call === 'pause') sync?.pause();
          else if (call === 'resume') sync?.resume();
          else sync?.setOffline(call === 'offline');
          return null;
        });
    running.then(
      (result) => answer(result, null),
      (error: unknown) => answer(null, toKalphiteError('network', error)),
    );
  };
  // The leader's sync events reach every tab, so each one's status and devtools stay current.
  bus.subscribe((event) => {
    if (!channel || role !== 'leader' || !sync || !(event.type.startsWith('sync:') || event.type === 'outbox:acknowledged')) return;
    channel.post({ kind: 'sync-event', from: clientId, event: toForwarded(event), status: sync.status } satisfies TabMessage);
  });

  /** This tab takes the local db: opens it, syncs memory with it, and serves the other tabs. */
  const lead = async (first: boolean): Promise<void> => {
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
    clientGroupId = opened.clientGroupId;
    if (first) store.load(entities);
    else reconcile(entities);
    emit({ type: 'db:opened', dataDir: opened.dataDir, durationMs: env.now() - openedAt, entityCount: store.entities.size, clientId, clientGroupId: opened.clientGroupId, schemaVersion: opened.schemaVersion });
    setTabs('leader', followers.size + 1);
    followerSync?.abandon('This tab became the leader: it syncs itself now.');
    writer.setTarget(toLocalDb);
    if (options.syncUrl !== undefined) {
      sync = new SyncClient({
        url: options.syncUrl.replace(/\/$/, ''),
        ...syncTimings,
        pushBatchSize: 500,
        poke: options.poke ?? true,
        fetch: fetchImpl,
        headers: options.syncHeaders ?? (() => ({})),
        db: opened,
        store,
        flusher,
        env,
        emit,
      });
      sync.start();
    }
    channel?.post({ kind: 'leader', from: clientId } satisfies TabMessage);
  };

  let ready = false;
  let clientGroupId = '';
  let stopChannel: () => void = () => {};
  let releaseLock: () => void = () => {};
  const opening = new Promise<void>((resolve, reject) => {
    const becomeReady = () => {
      ready = true;
      resolve();
    };
    stopChannel = channel?.subscribe((raw) => {
      const message = parseTabMessage(raw);
      if (!message || message.from === clientId) return;
      switch (message.kind) {
        case 'hello':
          if (role !== 'leader' || !ready) return;
          followers.add(message.from);
          channel.post({ kind: 'snapshot', from: clientId, to: message.from, clientGroupId, entities: store.getAll(), tabs: followers.size + 1, sync: sync?.status ?? null } satisfies TabMessage);
          channel.post({ kind: 'tabs', from: clientId, tabs: followers.size + 1 } satisfies TabMessage);
          setTabs('leader', followers.size + 1);
          return;
        case 'bye':
          if (role !== 'leader' || !followers.delete(message.from)) return;
          channel.post({ kind: 'tabs', from: clientId, tabs: followers.size + 1 } satisfies TabMessage);
          setTabs('leader', followers.size + 1);
          return;
        case 'leader':
          // A new leader: it gets every unanswered batch again, and a snapshot puts memory in step.
          followerSync?.abandon('The leader tab went away before answering.');
          writer.setTarget(toLeader);
          channel.post({ kind: 'hello', from: clientId } satisfies TabMessage);
          return;
        case 'snapshot':
          if (message.to !== clientId || role === 'leader') return;
          clientGroupId = message.clientGroupId;
          if (message.sync) followerSync?.update(message.sync);
          if (ready) reconcile(message.entities);
          else store.load(message.entities);
          writer.setTarget(toLeader);
          setTabs('follower', message.tabs);
          if (!ready) becomeReady();
          return;
        case 'changes':
          if (ready) adopt(message.changes);
          return;
        case 'persisted':
          if (ready && role === 'follower') adopt(message.changes);
          return;
        case 'batch':
          if (role !== 'leader') return;
          persist(message.ops, message.clientId, message.batch).then(
            (lastMutationId) => channel.post({ kind: 'ack', from: clientId, to: message.from, batch: message.batch, lastMutationId, error: null } satisfies TabMessage),
            (error: unknown) => {
              const { code, message: text } = toKalphiteError('db-failed', error);
              channel.post({ kind: 'ack', from: clientId, to: message.from, batch: message.batch, lastMutationId: null, error: { code, message: text } } satisfies TabMessage);
            },
          );
          return;
        case 'ack':
          if (message.to !== clientId) return;
          writer.settle(message.batch, message.error ? { error: new KalphiteError('db-failed', `The leader tab could not write: ${message.error.message}`) } : { lastMutationId: message.lastMutationId });
          return;
        case 'tabs':
          if (role === 'follower') setTabs('follower', message.tabs);
          return;
        case 'sync-event':
          if (role !== 'follower' || !followerSync) return;
          followerSync.update(message.status, message.event.type === 'outbox:acknowledged' ? message.event.byClient : undefined);
          emit(fromForwarded(message.event));
          return;
        case 'sync-call':
          if (role === 'leader') answerSyncCall(message.from, message.id, message.call);
          return;
        case 'sync-answer':
          if (message.to === clientId) followerSync?.answer(message.id, message.result, message.error);
          return;
      }
    }) ?? (() => {});
    const takeOver = () => {
      lead(!ready).then(
        () => {
          if (!ready) becomeReady();
        },
        (error: unknown) => {
          // Opening fails createKalphite; a failed takeover later is reported (writes wait in memory)
          // and the lock goes back in the queue, so another tab can try.
          if (!ready) return reject(error);
          emit({ type: 'tabs:takeover-failed', error: toKalphiteError('db-failed', error) });
          if (link) {
            releaseLock();
            env.setTimeout(() => {
              if (!closing) releaseLock = link.lock(lockName, takeOver);
            }, TAKEOVER_RETRY_MS);
          }
        },
      );
    };
    if (link) {
      releaseLock = link.lock(lockName, takeOver);
      channel?.post({ kind: 'hello', from: clientId } satisfies TabMessage);
    } else {
      takeOver();
    }
  });
  const leave = () => {
    stopChannel();
    releaseLock();
    channel?.close();
  };
  try {
    await opening;
  } catch (error) {
    leave();
    throw error;
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
  const leaderDb = (): LocalDb => {
    assertOpen();
    if (!db) throw new KalphiteError('not-leader', 'Only the leader tab holds the local database: ask it there.');
    return db;
  };

  const reset = async (): Promise<void> => {
    const local = leaderDb();
    // Other tabs' clients belong to the old group on the server: they would be refused under a new one.
    if (followers.size > 0) throw new KalphiteError('not-leader', `Close the other ${followers.size} tab(s) on this database before resetting it.`);
    const wasPaused = sync?.status.paused ?? true;
    sync?.pause();
    await Promise.all([flusher.settled(), sync?.settled()]);
    // From here to db.reset nothing awaits: a write made meanwhile lands in the fresh database.
    const ids = Array.from(store.entities.keys());
    const droppedChanges = local.outboxLength + flusher.snapshot().pending.length;
    store.applyExternal(ids.map((id) => [id, undefined] as const));
    flusher.discard();
    const newGroupId = env.randomId();
    clientId = env.randomId();
    await local.reset(newGroupId, clientId);
    clientGroupId = newGroupId;
    sync?.forgetAcknowledged();
    emit({ type: 'db:reset', clientId, clientGroupId: newGroupId, droppedEntities: ids.length, droppedChanges });
    if (!wasPaused) sync?.resume();
  };

  return {
    store,
    get sync() {
      return sync ?? (role === 'follower' ? followerSync : null);
    },
    get clientId() {
      return clientId;
    },
    get clientGroupId() {
      return db?.clientGroupId ?? clientGroupId;
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
      clientGroupId: db?.clientGroupId ?? clientGroupId,
      dataDir,
      closed,
      version: store.version,
      entityCount: store.entities.size,
      countsByType: store.countsByType(),
      flush: flusher.snapshot(),
      // A follower has no outbox of its own: it shows the leader's, which holds every tab's changes.
      outbox: { length: db?.outboxLength ?? followerSync?.status.unacknowledged ?? 0, lastMutationId: db?.lastMutationId ?? writer.lastMutationId },
      sync: (sync ?? (role === 'follower' ? followerSync : null))?.status ?? null,
      tabs: { role, count: tabCount },
      lastError,
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
        const giveUp = role === 'follower' ? env.setTimeout(() => writer.abandon('No leader tab answered before this tab closed: its last writes were not persisted.'), FOLLOWER_CLOSE_WAIT_MS) : null;
        try {
          await flush();
        } finally {
          if (giveUp !== null) env.clearTimeout(giveUp);
          await sync?.close();
          flusher.stop();
          channel?.post({ kind: 'bye', from: clientId } satisfies TabMessage);
          leave();
          writer.abandon('This Kalphite instance is closed.');
          closed = true;
          await db?.close();
          emit({ type: 'engine:closed' });
          bus.clear();
        }
      })()),
  };
}

/** A leader's sync event, for another tab: without its time, its error plain. */
function toForwarded(event: KalphiteEvent): ForwardedEvent {
  const { at: _at, ...rest } = event as Extract<KalphiteEvent, ForwardedEvent>;
  return ('error' in rest ? { ...rest, error: toPlainError(rest.error) } : rest) as ForwardedEvent;
}

/** A forwarded sync event, as this tab's own (its error a KalphiteError again). */
function fromForwarded(event: ForwardedEvent): Parameters<EmitEvent>[0] {
  return ('error' in event ? { ...event, error: fromPlainError(event.error) } : event) as Parameters<EmitEvent>[0];
}

/** A follower's sync status until the leader's arrives. */
function idleStatus(): SyncStatus {
  return {
    online: false,
    paused: false,
    simulatedOffline: false,
    pushing: false,
    pulling: false,
    poke: 'off',
    clientID: '',
    clientGroupID: '',
    cookie: null,
    lastMutationID: 0,
    unacknowledged: 0,
    lastPushAt: null,
    lastPullAt: null,
    nextPullAt: null,
    lastError: null,
  };
}

/** How long a closing follower waits for the leader to persist its last writes. */
const FOLLOWER_CLOSE_WAIT_MS = 3000;

/** How long a tab that failed to open the local db waits before queueing for the lock again. */
const TAKEOVER_RETRY_MS = 1000;

/** Tags memory commits that came from another tab or the local db, so they are not passed on again. */
const TAB_TAG = 'tab';

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new KalphiteError('invalid-options', `Option ${name} must be a finite number >= 0 (got ${String(value)}).`);
  }
  return value;
}
