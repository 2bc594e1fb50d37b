import type { PGliteInterface } from '@electric-sql/pglite';
import type { Environment } from './environment.js';
import type { EmitEvent, TabRole } from './events.js';
import type { Flusher, FlushSink } from './persist/flusher.js';
import { LocalDb, type ChangeLogEntry, type FlushOp } from './persist/local-db.js';
import { adoptExternal } from './store/adopt.js';
import type { Entity } from './store/entity.js';
import type { MemoryStore } from './store/store.js';
import { SyncClient, type KalphiteSync, type SyncSettings } from './sync/sync-client.js';

/**
 * Whoever holds the local db, as this engine sees it: this engine itself (`LocalReplica`: a lone
 * engine, or the leader tab), or the leader tab seen from a follower (`tabs/follower.ts`). The
 * engine writes its flush batches to it and asks it everything else, never which of the two it is.
 */
export interface Replica extends FlushSink {
  /** This engine's sync client id (a new one after `reset`). */
  readonly clientId: string;
  /** The client group: the local database, shared by the tabs that open it. */
  readonly clientGroupId: string;
  readonly sync: KalphiteSync | null;
  readonly outbox: { readonly length: number; readonly lastMutationId: number };
  /** This tab's role among the tabs sharing the dataDir, how many there are, and how many of their messages failed the shape check. */
  readonly tabs: { readonly role: TabRole; readonly count: number; readonly refusedMessages?: number };
  changeLog(limit: number): Promise<readonly ChangeLogEntry[]>;
  /** Drops everything local and starts again as a new client of a new group. */
  reset(): Promise<void>;
  /** Runs the engine's last flush (however long this replica lets it take), then stops sync and closes the local db. */
  close(lastFlush: () => Promise<void>): Promise<void>;
}

/** What a local replica works with: the engine's settings, memory and flusher, and its event stream. */
export interface ReplicaContext {
  readonly settings: {
    readonly dataDir: string;
    readonly pglite: PGliteInterface | undefined;
    readonly env: Environment;
    /** Null: the engine does not sync. */
    readonly sync: SyncSettings | null;
  };
  readonly store: MemoryStore;
  readonly flusher: Pick<Flusher, 'isPending' | 'settled' | 'discard' | 'snapshot'>;
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

  private constructor(context: ReplicaContext, db: LocalDb) {
    this.#context = context;
    this.#db = db;
    const { settings, store, flusher, emit } = context;
    const isPending = (id: string) => flusher.isPending(id);
    this.sync =
      settings.sync &&
      new SyncClient({
        ...settings.sync,
        outbox: db,
        mirror: {
          get: (id) => store.entities.get(id),
          ids: () => store.entities.keys(),
          isPending,
          adopt: (writes) => adoptExternal(store, writes, isPending, 'server').length,
        },
        env: settings.env,
        emit,
      });
  }

  /** Opens the local db as client `clientId` and reads its entities (for the caller to put in memory). */
  static async open(context: ReplicaContext, clientId: string): Promise<{ replica: LocalReplica; entities: Entity[] }> {
    const { settings, emit } = context;
    const { env } = settings;
    const openedAt = env.now();
    const db = await LocalDb.open({
      dataDir: settings.dataDir,
      clientId,
      ...(settings.pglite !== undefined && { pglite: settings.pglite }),
      randomId: env.randomId,
      now: env.now,
      emit,
    });
    let entities: Entity[];
    try {
      entities = await db.loadEntities();
    } catch (error) {
      await db.close();
      throw error;
    }
    emit({ type: 'db:opened', dataDir: db.dataDir, durationMs: env.now() - openedAt, entityCount: entities.length, clientId, clientGroupId: db.clientGroupId, schemaVersion: db.schemaVersion });
    return { replica: new LocalReplica(context, db), entities };
  }

  get clientId(): string {
    return this.#db.clientId;
  }

  get clientGroupId(): string {
    return this.#db.clientGroupId;
  }

  get outbox(): Replica['outbox'] {
    return { length: this.#db.outboxLength, lastMutationId: this.#db.lastMutationId };
  }

  /** Begins syncing, once memory holds what the local db holds. */
  start(): void {
    this.sync?.start();
  }

  writeBatch = async (ops: readonly FlushOp[]): Promise<number> => (await this.persist(ops)) ?? this.#db.lastMutationId;

  /**
   * Writes a batch of this engine's, or another tab's numbered batch (`from`), and schedules the
   * push. Null: that batch was written before (sent again after a leader change).
   */
  async persist(ops: readonly FlushOp[], from?: { readonly clientId: string; readonly batch: number }): Promise<number | null> {
    const last = await this.#db.writeBatch(ops, from);
    if (last !== null && ops.length > 0) this.sync?.schedulePush();
    return last;
  }

  changeLog(limit: number): Promise<readonly ChangeLogEntry[]> {
    return this.#db.changeLog(limit);
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
    const clientGroupId = settings.env.randomId();
    const clientId = settings.env.randomId();
    await this.#db.reset(clientGroupId, clientId);
    sync?.forgetAcknowledged();
    emit({ type: 'db:reset', clientId, clientGroupId, droppedEntities: ids.length, droppedChanges });
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
