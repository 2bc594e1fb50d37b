import { KalphiteError, toKalphiteError } from './errors.js';
import { EventLog } from './event-log.js';
import type { InitialSnapshot } from './initial-snapshot.js';
import type { Kalphite } from './instance.js';
import { OverwrittenLedger } from './ledger.js';
import { LIMITS, resolveOptions, type KalphiteOptions } from './options.js';
import { Flusher } from './persist/flusher.js';
import type { LocalReplica, Replica, ReplicaContext } from './replica.js';
import { SpaceController } from './spaces.js';
import { adoptSnapshot } from './store/adopt.js';
import { UndoHistory } from './store/history.js';
import type { EntitySchema, NoSchema } from './store/schema-types.js';
import { MemoryStore, type KalphiteStore } from './store/store.js';
import type { TabLink } from './tabs/tab-link.js';

export type { Kalphite, KalphiteInspection } from './instance.js';
export type { KalphiteOptions } from './options.js';
export type { KalphiteSpaces, SpaceInfo } from './spaces.js';

/**
 * Opens the local db (or joins the tab that holds it), loads the open spaces' entities into
 * memory, and resolves to a ready engine (their first pulls go on in the background). Wiring only: a write goes store → flusher → replica, and the replica
 * — this engine's local db and sync, or the leader tab — does the rest.
 */
export async function createKalphite<S extends EntitySchema = NoSchema, Strict extends boolean = false>(options: KalphiteOptions<S, Strict> = {}): Promise<TypedKalphite<S, Strict>> {
  const { kalphite, start } = prepareKalphite(options);
  await start();
  return kalphite as unknown as TypedKalphite<S, Strict>;
}

/**
 * The same engine, usable at once: memory holds `initialSnapshot` (if given), reads and writes
 * work now, and the local db opens in the background — writes wait in the flusher until it has,
 * then its contents join memory (`initial-snapshot.ts` says which value wins). `kalphite.ready`
 * resolves then, or rejects (also reported as `db:open-failed`).
 */
export function openKalphite<S extends EntitySchema = NoSchema, Strict extends boolean = false>(options: KalphiteOptions<S, Strict> = {}): TypedKalphite<S, Strict> {
  const { kalphite, start } = prepareKalphite(options);
  // Its failure is kalphite.ready's rejection and a db:open-failed event.
  start().catch(() => {});
  return kalphite as unknown as TypedKalphite<S, Strict>;
}

/** An engine whose store is typed by its schema (`createKalphite({ schema, strict })`). */
export interface TypedKalphite<S extends EntitySchema = NoSchema, Strict extends boolean = false> extends Omit<Kalphite, 'store'> {
  readonly store: KalphiteStore<S, Strict>;
}

/** An engine whose local db opens when `start` is called (once; later calls answer the same promise). */
export interface PreparedKalphite {
  readonly kalphite: Kalphite;
  start(): Promise<void>;
}

/**
 * Builds an engine without opening anything: memory (with the snapshot), flusher, spaces and
 * history, no timer, no database. A server render uses it so (the React provider starts it in an
 * effect, which a server never runs); `start` opens the local db or joins the tab that holds it.
 */
export function prepareKalphite(options: KalphiteOptions): PreparedKalphite {
  const settings = resolveOptions(options);
  const { env } = settings;
  const log = new EventLog(env.now, settings.eventHistory);
  const { emit } = log;

  // The store asks the spaces on every local write; they exist just below (the rule runs only on writes).
  const store = new MemoryStore({
    maxEntityBytes: settings.maxEntityBytes,
    spaces: { defaultSpace: settings.defaultSpace, checkWrite: (space) => spaces.checkWrite(space) },
    ...(settings.schema && { schema: settings.schema }),
    ...(settings.indexes && { indexes: settings.indexes }),
  });
  if (settings.snapshot) store.load(settings.snapshot.entities());

  // Until the local db is open, a flush waits for it: the writes stay in the flusher, none is lost.
  let replica: Replica | null = null;
  let settle!: { resolve: (opened: Replica) => void; reject: (error: KalphiteError) => void };
  const opening = new Promise<Replica>((resolve, reject) => (settle = { resolve, reject }));
  opening.catch(() => {});
  const flusher = new Flusher({
    read: (id) => store.entities.get(id),
    sink: { writeBatch: async (ops) => (replica ?? (await opening)).writeBatch(ops) },
    env,
    emit,
    ...settings.flush,
  });
  store.onLocalCommit((changed) => flusher.enqueue(changed));
  store.subscribe((commit) => emit({ type: 'store:changed', origin: commit.origin, tag: commit.tag, version: commit.version, changes: commit.changes }));
  const history = new UndoHistory(store, {
    limit: settings.undoLimit,
    onSkipped: (direction, { label, skipped }) => emit({ type: 'history:skipped', direction, label, skipped }),
  });
  const ledger = new OverwrittenLedger(LIMITS.overwrittenKept);
  const stopLedger = log.subscribe(ledger.hear);

  const spaces = new SpaceController({
    defaultSpace: settings.defaultSpace,
    initial: settings.spaces,
    syncs: settings.sync !== null,
    store,
    localWrite: flusher.localWrite,
    flush: () => flush(),
    dropPending: (ids) => flusher.drop(ids),
    emit,
    now: env.now,
  });
  const stopSpaces = log.subscribe(spaces.hear);
  const context: ReplicaContext = { settings, store, spaces, flusher, emit };
  const clientId = env.randomId();

  const flush = async (): Promise<void> => {
    store.notifyNow();
    await flusher.flush();
  };
  let stopPageHide = (): void => {};

  let started: Promise<void> | null = null;
  let closed = false;
  let closing: Promise<void> | null = null;
  const start = (): Promise<void> =>
    (started ??= (async () => {
      if (closing) throw new KalphiteError('closed', 'This Kalphite instance is closed.');
      // A failed page-hide flush is reported as a flush:failed event and retried by the flusher.
      stopPageHide = env.onPageHide(() => void flush().catch(() => {}));
      try {
        const opened = settings.tabs ? await joinTabs(context, settings.snapshot, settings.tabs, clientId, log.subscribe) : await openAlone(context, settings.snapshot, clientId);
        replica = opened;
        spaces.attach(opened);
        settle.resolve(opened);
      } catch (cause) {
        const error = toKalphiteError('db-failed', cause);
        // Nothing can persist now: writes stop here rather than wait in memory for a database that will not come.
        store.refuseWrites(`The local database did not open: ${error.message}`);
        stopPageHide();
        flusher.stop();
        spaces.attach(null, error);
        settle.reject(error);
        emit({ type: 'db:open-failed', error });
        throw error;
      }
    })());
  const ready = opening.then(() => {});
  ready.catch(() => {});

  const open = async (): Promise<Replica> => {
    if (closed || closing) throw new KalphiteError('closed', 'This Kalphite instance is closed.');
    return replica ?? opening;
  };

  const kalphite: Kalphite = {
    store,
    spaces,
    history,
    ready,
    get sync() { return replica?.sync ?? null; },
    get clientId() { return replica?.clientId ?? clientId; },
    get profileId() { return replica?.profileId ?? ''; },
    dataDir: settings.dataDir,
    get closed() { return closed; },
    get events() { return log.events; },
    subscribe: log.subscribe,
    inspect: () => ({
      at: env.now(),
      clientId: kalphite.clientId,
      profileId: kalphite.profileId,
      defaultSpace: settings.defaultSpace,
      spaces: spaces.list(),
      dataDir: settings.dataDir,
      closed,
      version: store.version,
      entityCount: store.entities.size,
      countsByType: store.countsByType(),
      flush: flusher.snapshot(),
      outbox: replica?.outbox ?? { length: 0 },
      sync: replica?.sync?.status ?? null,
      tabs: { refusedMessages: 0, ...(replica?.tabs ?? { role: 'leader', count: 1 }) },
      lastError: log.lastError,
    }),
    flush,
    overwritten: () => ledger.writes,
    reapply: (write) => ledger.reapply(store, write),
    changeLog: async ({ limit = LIMITS.changeLogRows } = {}) => (await open()).changeLog(limit),
    heldAside: async () => (await open()).heldAside(),
    reset: async () => (await open()).reset(),
    close: () =>
      (closing ??= (async () => {
        stopPageHide();
        stopSpaces();
        stopLedger();
        store.refuseWrites('This Kalphite instance is closed.');
        try {
          // Closed before it started (a server render's engine): there is nothing to open, nor to close.
          if (!started) settle.reject(new KalphiteError('closed', 'This Kalphite instance was closed before its local database opened.'));
          const opened = await opening.catch(() => null);
          if (opened) {
            await opened.close(async () => {
              try {
                await flush();
              } finally {
                flusher.stop();
              }
            });
          } else flusher.stop();
        } finally {
          closed = true;
          emit({ type: 'engine:closed' });
          log.clear();
        }
      })()),
  };
  return { kalphite, start };
}

/** A lone engine (no other tab can share its dataDir): its own local db, memory filled from it. */
async function openAlone(context: ReplicaContext, snapshot: InitialSnapshot | null, clientId: string): Promise<LocalReplica> {
  // Loaded as the local db opens: a page renders from memory before either is needed.
  const { LocalReplica } = await import('./replica.js');
  const { replica, entities } = await LocalReplica.open(context, clientId);
  const { store, flusher } = context;
  try {
    const truth = snapshot ? await snapshot.overLocal(replica, entities) : entities;
    // Memory nobody has touched takes them as they are; otherwise the adopt rule keeps the writes
    // made meanwhile on top (and drops what neither holds).
    if (store.version === 0) store.load(truth);
    else adoptSnapshot(store, truth, flusher.localWrite, 'server');
  } catch (error) {
    await replica.close(async () => {});
    throw error;
  }
  replica.start();
  return replica;
}

/** An engine among the tabs sharing its dataDir (`idb://` in a browser): the tabs' code loads only then. */
async function joinTabs(context: ReplicaContext, snapshot: InitialSnapshot | null, link: TabLink, clientId: string, subscribe: EventLog['subscribe']): Promise<Replica> {
  const [{ TabSession }, { LocalReplica }] = await Promise.all([import('./tabs/tab-session.js'), import('./replica.js')]);
  const { settings, store, spaces, flusher, emit } = context;
  return TabSession.open({
    link,
    name: `kalphite:${settings.dataDir}`,
    id: clientId,
    store,
    localWrite: flusher.localWrite,
    spaces,
    syncs: settings.sync !== null,
    env: settings.env,
    emit,
    subscribe,
    openLocal: async (id) => {
      const { replica, entities } = await LocalReplica.open(context, id);
      return { replica, entities: snapshot ? await snapshot.overLocal(replica, entities) : entities };
    },
    followerCloseWaitMs: LIMITS.followerCloseWaitMs,
    takeoverRetryMs: LIMITS.takeoverRetryMs,
  });
}
