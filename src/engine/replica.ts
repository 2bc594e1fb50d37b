import type { PGliteInterface } from '@electric-sql/pglite';
import type { Environment } from './environment.js';
import type { KalphiteError } from './errors.js';
import type { EmitEvent, TabRole } from './events.js';
import type { Flusher, FlushSink } from './persist/flusher.js';
import type { AppSchema, HeldAsideEntity, Migrate } from './persist/app-schema.js';
import { LocalDb, type ChangeLogEntry, type FlushOp } from './persist/local-db.js';
import { adoptSpace, idsIn } from './store/adopt.js';
import type { Entity } from './store/entity.js';
import type { EntityValidator } from './store/schema.js';
import type { MemoryStore } from './store/store.js';
import { SyncClient, type KalphiteSync, type SyncSettings, type SyncStatus } from './sync/sync-client.js';

/**
 * Whoever holds the local db, as this engine sees it: this engine itself (`LocalReplica`: a lone
 * engine, or the leader tab), or the leader tab seen from a follower (`tabs/follower.ts`). The
 * engine writes its flush batches to it and asks it everything else, never which of the two it is.
 */
export interface Replica extends FlushSink {
  /** This engine's sync client id (a new one after `reset`). */
  readonly clientId: string;
  /** The browser profile: the local database, shared by the tabs that open it. */
  readonly profileId: string;
  readonly sync: KalphiteSync | null;
  readonly outbox: { readonly length: number };
  /** The spaces the local db knows, with what sync knows of them. */
  knownSpaces(): readonly KnownSpace[];
  /** What the server last said of writing to `space` (null: not known). Asked on every local write. */
  writable(space: string): boolean | null;
  /** Makes `space` known to the local db; resolves to its local copy (for memory). */
  loadSpace(space: string): Promise<Entity[]>;
  /** Syncs `space` from now on; resolves once its first pull landed (at once offline); rejects `forbidden`. */
  syncSpace(space: string): Promise<void>;
  /** Stops syncing `space` (its writes are still pushed); `forget` deletes its local copy. */
  closeSpace(space: string, forget: boolean): Promise<void>;
  /** This tab's role among the tabs sharing the dataDir, how many there are, and how many of their messages failed the shape check. */
  readonly tabs: { readonly role: TabRole; readonly count: number; readonly refusedMessages?: number };
  changeLog(limit: number): Promise<readonly ChangeLogEntry[]>;
  /** The server values the local db holds aside because they do not fit the app's schema, oldest first. */
  heldAside(): Promise<readonly HeldAsideEntity[]>;
  /** Drops everything local and starts again as a new client of a new group. */
  reset(): Promise<void>;
  /** Runs the engine's last flush (however long this replica lets it take), then stops sync and closes the local db. */
  close(lastFlush: () => Promise<void>): Promise<void>;
}

/** A space the local db knows. */
export interface KnownSpace {
  readonly space: string;
  readonly clientGroupId: string;
  readonly cookie: SyncStatus['spaces'][number]['cookie'];
  readonly writable: boolean | null;
  readonly unacknowledged: number;
  readonly lastRefusal: SyncStatus['spaces'][number]['lastRefusal'];
  /** How many tabs hold it in memory (this one included); null where this tab cannot know (a follower). */
  readonly tabs: number | null;
}

/** Memory's spaces, as a replica needs them: which are open, and letting go of one the server no longer shows this user. */
export interface MemorySpaces {
  readonly defaultSpace: string;
  /** Open in memory now. */
  holds(space: string): boolean;
  /** The spaces open in memory now (when a local db opens, the ones to load and sync). */
  openIds(): readonly string[];
  /** Read access to `space` was lost: memory lets go of it. */
  lost(space: string, error: KalphiteError): void;
}

/** What a local replica works with: the engine's settings, memory and flusher, and its event stream. */
export interface ReplicaContext {
  readonly settings: {
    readonly dataDir: string;
    readonly pglite: PGliteInterface | undefined;
    readonly env: Environment;
    /** Null: the engine does not sync. */
    readonly sync: SyncSettings | null;
    /** The app's schema, checked on values from outside memory too (a pull, the local db after `migrate`); null or absent: none. */
    readonly schema?: EntityValidator | null;
    /** The app's schemaVersion (absent: 0) and its migration from older ones. */
    readonly schemaVersion?: number;
    readonly migrate?: Migrate | null;
  };
  readonly store: MemoryStore;
  readonly spaces: MemorySpaces;
  readonly flusher: Pick<Flusher, 'isPending' | 'localWrite' | 'settled' | 'discard' | 'snapshot'>;
  readonly emit: EmitEvent;
}

/**
 * The local db held by this engine, and its sync client: a batch written here schedules its own
 * push, so a write in a lone engine goes store → flusher → here → local db, then → sync, downward
 * only. Owns the client id and `reset`.
 */
export class LocalReplica implements Replica {
  readonly #context: ReplicaContext;
  readonly #db: LocalDb;
  readonly sync: SyncClient | null;
  readonly tabs = { role: 'leader', count: 1 } as const;
  #pulled: ((space: string, changes: readonly (readonly [string, Entity | null])[]) => void) | null = null;

  private constructor(context: ReplicaContext, db: LocalDb) {
    this.#context = context;
    this.#db = db;
    const { settings, store, flusher, emit, spaces } = context;
    const isPending = (id: string) => flusher.isPending(id);
    this.sync =
      settings.sync &&
      new SyncClient({
        ...settings.sync,
        outbox: db,
        mirror: {
          get: (id) => store.entities.get(id),
          ids: (space) => idsIn(store, space),
          isPending,
          // A leader passes every pull on, for the tabs holding spaces its memory does not.
          adopt: (space, writes) => {
            const changes = [...writes];
            this.#pulled?.(space, changes.map(([id, entity]) => [id, entity ?? null] as const));
            if (!spaces.holds(space)) return 0;
            return adoptSpace(store, space, changes, flusher.localWrite, (id, heldIn) => emit({ type: 'space:held-aside', space, id, heldIn })).length;
          },
        },
        defaultSpace: spaces.defaultSpace,
        onSpaceLost: (space, error) => spaces.lost(space, error),
        env: settings.env,
        emit,
      });
  }

  /**
   * Opens the local db as client `clientId` and reads the initial spaces' entities (for the caller
   * to put in memory). An id held in two of them is kept from the first (rule 6 of SPACES.md).
   */
  static async open(context: ReplicaContext, clientId: string): Promise<{ replica: LocalReplica; entities: Entity[] }> {
    const { settings, emit } = context;
    const { env } = settings;
    const openedAt = env.now();
    const db = await LocalDb.open({
      dataDir: settings.dataDir,
      clientId,
      ...(settings.pglite !== undefined && { pglite: settings.pglite }),
      ...(env.startLocalDbWorker !== undefined && { startWorker: env.startLocalDbWorker }),
      randomId: env.randomId,
      now: env.now,
      emit,
      appSchema: appSchemaOf(settings),
    });
    const entities: Entity[] = [];
    try {
      const seen = new Map<string, string>();
      for (const space of context.spaces.openIds()) {
        await db.ensureSpace(space);
        for (const entity of await db.loadEntities([space])) {
          const heldIn = seen.get(entity.id);
          if (heldIn === undefined) {
            seen.set(entity.id, space);
            entities.push(entity);
          } else emit({ type: 'space:held-aside', space, id: entity.id, heldIn });
        }
      }
    } catch (error) {
      await db.close();
      throw error;
    }
    emit({ type: 'db:opened', dataDir: db.dataDir, durationMs: env.now() - openedAt, entityCount: entities.length, clientId, profileId: db.profileId, schemaVersion: db.schemaVersion });
    return { replica: new LocalReplica(context, db), entities };
  }

  get clientId(): string {
    return this.#db.clientId;
  }

  get profileId(): string {
    return this.#db.profileId;
  }

  get outbox(): Replica['outbox'] {
    return { length: this.#db.outboxLength };
  }

  knownSpaces(): readonly KnownSpace[] {
    const synced = new Map((this.sync?.status.spaces ?? []).map((s) => [s.space, s]));
    return [...this.#db.spaces.values()].map((local) => ({
      space: local.space,
      clientGroupId: local.clientGroupId,
      cookie: local.cookie,
      writable: local.writable,
      unacknowledged: this.#db.unacknowledgedIn(local.space),
      lastRefusal: synced.get(local.space)?.lastRefusal ?? null,
      tabs: this.#context.spaces.holds(local.space) ? 1 : 0,
    }));
  }

  writable(space: string): boolean | null {
    return this.#db.spaces.get(space)?.writable ?? null;
  }

  async loadSpace(space: string): Promise<Entity[]> {
    await this.#db.ensureSpace(space);
    return this.#db.loadEntities([space]);
  }

  syncSpace(space: string): Promise<void> {
    return this.sync ? this.sync.openSpace(space) : Promise.resolve();
  }

  async closeSpace(space: string, forget: boolean): Promise<void> {
    this.sync?.closeSpace(space, forget);
    if (forget) await this.#db.forgetSpace(space);
  }

  /** Begins syncing `spaces` (default: memory's), once memory holds what the local db holds of them. */
  start(spaces: readonly string[] = this.#context.spaces.openIds()): void {
    this.sync?.start(spaces);
  }

  /** Hears what each pull wrote to the local db (a leader tells the other tabs). */
  onPulled(listener: (space: string, changes: readonly (readonly [string, Entity | null])[]) => void): () => void {
    this.#pulled = listener;
    return () => {
      this.#pulled = null;
    };
  }

  /** Mutation ids per op; a batch written before (sent again after a leader change) has none to give. */
  writeBatch = async (ops: readonly FlushOp[]): Promise<readonly number[]> => (await this.persist(ops)) ?? [];

  /**
   * Writes a batch of this engine's, or another tab's numbered batch (`from`), and schedules the
   * push. Null: that batch was written before (sent again after a leader change).
   */
  async persist(ops: readonly FlushOp[], from?: { readonly clientId: string; readonly batch: number }): Promise<readonly number[] | null> {
    const last = await this.#db.writeBatch(ops, from);
    if (last !== null && ops.length > 0) this.sync?.schedulePush();
    return last;
  }

  changeLog(limit: number): Promise<readonly ChangeLogEntry[]> {
    return this.#db.changeLog(limit);
  }

  heldAside(): Promise<readonly HeldAsideEntity[]> {
    return this.#db.heldAside();
  }

  async reset(): Promise<void> {
    const { store, flusher, emit, settings } = this.#context;
    const { sync } = this;
    const wasPaused = sync?.status.paused ?? true;
    sync?.pause();
    await Promise.all([flusher.settled(), sync?.settled()]);
    // From here to db.reset nothing awaits: a write made meanwhile lands in the fresh database.
    const ids = Array.from(store.entities.keys());
    const droppedChanges = this.#db.outboxLength + flusher.snapshot().pending.length;
    store.applyExternal(
      ids.map((id) => [id, undefined] as const),
      'server',
    );
    flusher.discard();
    const profileId = settings.env.randomId();
    const clientId = settings.env.randomId();
    await this.#db.reset(profileId, clientId);
    sync?.forgetAcknowledged();
    emit({ type: 'db:reset', clientId, profileId, droppedEntities: ids.length, droppedChanges });
    if (!wasPaused) sync?.resume();
  }

  async close(lastFlush: () => Promise<void>): Promise<void> {
    try {
      await lastFlush();
    } finally {
      await this.sync?.close();
      await this.#db.close();
    }
  }
}

/** The app's schema as the local db applies it: its version, migration, and a check that answers instead of throwing. */
function appSchemaOf({ schema, schemaVersion, migrate }: ReplicaContext['settings']): AppSchema {
  return { version: schemaVersion ?? 0, migrate: migrate ?? null, verdict: schema ? (entity) => schema.verdict(entity) : null };
}
