import { KalphiteError } from './errors.js';
import { EventLog } from './event-log.js';
import type { Kalphite } from './instance.js';
import { OverwrittenLedger } from './ledger.js';
import { LIMITS, resolveOptions, type KalphiteOptions } from './options.js';
import { Flusher } from './persist/flusher.js';
import { LocalReplica, type Replica, type ReplicaContext } from './replica.js';
import { SpaceController } from './spaces.js';
import { UndoHistory } from './store/history.js';
import type { EntitySchema, NoSchema } from './store/schema-types.js';
import { MemoryStore, type KalphiteStore } from './store/store.js';
import { TabSession } from './tabs/tab-session.js';

export type { Kalphite, KalphiteInspection } from './instance.js';
export type { KalphiteOptions } from './options.js';
export type { KalphiteSpaces, SpaceInfo } from './spaces.js';

/**
 * Opens the local db (or joins the tab that holds it), loads the open spaces' entities into
 * memory, and resolves to a ready engine (their first pulls go on in the background). Wiring only: a write goes store → flusher → replica, and the replica
 * — this engine's local db and sync, or the leader tab — does the rest.
 */
export function createKalphite<S extends EntitySchema = NoSchema, Strict extends boolean = false>(options: KalphiteOptions<S, Strict> = {}): Promise<TypedKalphite<S, Strict>> {
  // One engine whatever the schema: the types are the schema's view of the same store.
  return openKalphite(options) as Promise<unknown> as Promise<TypedKalphite<S, Strict>>;
}

/** An engine whose store is typed by its schema (`createKalphite({ schema, strict })`). */
export interface TypedKalphite<S extends EntitySchema = NoSchema, Strict extends boolean = false> extends Omit<Kalphite, 'store'> {
  readonly store: KalphiteStore<S, Strict>;
}

async function openKalphite(options: KalphiteOptions): Promise<Kalphite> {
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
  // The flusher writes to the replica, which exists once the local db is open (before any flush).
  let replica: Replica | null = null;
  const flusher = new Flusher({
    read: (id) => store.entities.get(id),
    sink: { writeBatch: (ops) => (replica ? replica.writeBatch(ops) : Promise.reject(new KalphiteError('closed', 'The local database is not open.'))) },
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
  const context: ReplicaContext = { settings, store, spaces, flusher, emit };
  const opened: Replica = settings.tabs
    ? await TabSession.open({
        link: settings.tabs,
        name: `kalphite:${settings.dataDir}`,
        id: env.randomId(),
        store,
        localWrite: flusher.localWrite,
        spaces,
        syncs: settings.sync !== null,
        env,
        emit,
        subscribe: log.subscribe,
        openLocal: (clientId) => LocalReplica.open(context, clientId),
        followerCloseWaitMs: LIMITS.followerCloseWaitMs,
        takeoverRetryMs: LIMITS.takeoverRetryMs,
      })
    : await openAlone(context, env.randomId());
  replica = opened;
  spaces.attach(opened);
  const stopSpaces = log.subscribe(spaces.hear);

  const flush = async (): Promise<void> => {
    store.notifyNow();
    await flusher.flush();
  };
  // A failed page-hide flush is reported as a flush:failed event and retried by the flusher.
  const stopPageHide = env.onPageHide(() => void flush().catch(() => {}));

  let closed = false;
  let closing: Promise<void> | null = null;
  const open = (): Replica => {
    if (closed || closing) throw new KalphiteError('closed', 'This Kalphite instance is closed.');
    return opened;
  };

  return {
    store,
    spaces,
    history,
    get sync() { return opened.sync; },
    get clientId() { return opened.clientId; },
    get profileId() { return opened.profileId; },
    dataDir: settings.dataDir,
    get closed() { return closed; },
    get events() { return log.events; },
    subscribe: log.subscribe,
    inspect: () => ({
      at: env.now(),
      clientId: opened.clientId,
      profileId: opened.profileId,
      defaultSpace: settings.defaultSpace,
      spaces: spaces.list(),
      dataDir: settings.dataDir,
      closed,
      version: store.version,
      entityCount: store.entities.size,
      countsByType: store.countsByType(),
      flush: flusher.snapshot(),
      outbox: opened.outbox,
      sync: opened.sync?.status ?? null,
      tabs: { refusedMessages: 0, ...opened.tabs },
      lastError: log.lastError,
    }),
    flush,
    overwritten: () => ledger.writes,
    reapply: (write) => ledger.reapply(store, write),
    changeLog: async ({ limit = LIMITS.changeLogRows } = {}) => open().changeLog(limit),
    heldAside: async () => open().heldAside(),
    reset: async () => open().reset(),
    close: () =>
      (closing ??= (async () => {
        stopPageHide();
        stopSpaces();
        stopLedger();
        store.refuseWrites('This Kalphite instance is closed.');
        try {
          await opened.close(async () => {
            try {
              await flush();
            } finally {
              flusher.stop();
            }
          });
        } finally {
          closed = true;
          emit({ type: 'engine:closed' });
          log.clear();
        }
      })()),
  };
}

/** A lone engine (no other tab can share its dataDir): its own local db, memory filled from it. */
async function openAlone(context: ReplicaContext, clientId: string): Promise<LocalReplica> {
  const { replica, entities } = await LocalReplica.open(context, clientId);
  context.store.load(entities);
  replica.start();
  return replica;
}
