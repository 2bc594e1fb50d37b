import type { Cookie } from '../protocol/pull.js';
import { spaceProblem } from '../protocol/space.js';
import { EventBus } from './event-bus.js';
import { KalphiteError, toKalphiteError } from './errors.js';
import type { EmitEvent, KalphiteEvent } from './events.js';
import type { KnownSpace, MemorySpaces, Replica } from './replica.js';
import { adoptSpace, idsIn, releaseSpace, type LocalWrites } from './store/adopt.js';
import type { MemoryStore, SpaceRules } from './store/store.js';

/** One space as `kalphite.spaces.list()` shows it. */
export interface SpaceInfo {
  readonly id: string;
  /** In this engine's memory. */
  readonly open: boolean;
  /** Open, and its first pull has landed (or it opened offline with its local copy). */
  readonly ready: boolean;
  /** What the server said in its last pull (null: not known yet): false means local writes throw `read-only-space`. */
  readonly writable: boolean | null;
  readonly cookie: Cookie;
  /** Writes in this space the server has not acknowledged yet. */
  readonly unacknowledged: number;
  readonly lastRefusal: { readonly mutationId: number; readonly reason: string; readonly at: number } | null;
  /** A first pull on its way: pages and entities received so far. */
  readonly progress: { readonly pages: number; readonly entities: number } | null;
  /** How many tabs sharing the local db hold it in memory (this one included); null in a follower tab, which cannot know. */
  readonly tabs: number | null;
  /** Why it closed on its own (read access lost), or why opening failed. */
  readonly error: KalphiteError | null;
}

/** `kalphite.spaces`: which partitions of the server's data this engine holds in memory and syncs. */
export interface KalphiteSpaces {
  /** Where a write without `space` goes. */
  readonly defaultSpace: string;
  /**
   * Loads the space's local copy into memory and syncs it; resolves once its first pull has landed
   * (at once with the local copy when offline). Rejects with `forbidden` when the server says this
   * user may not read it, `invalid-space` for a malformed id.
   */
  open(id: string): Promise<void>;
  /**
   * Flushes, then drops the space's entities from memory. Its unpushed writes are still pushed; its
   * local copy stays for offline use unless `forget: true`.
   */
  close(id: string, options?: { readonly forget?: boolean }): Promise<void>;
  /** Every space open here or known to the local db. */
  list(): readonly SpaceInfo[];
  /** One space (a closed, unknown one too), the same object until something about it changes. */
  get(id: string): SpaceInfo;
  /** Hears every change of what `list()` and `get()` return. */
  subscribe(listener: () => void): () => void;
}

interface OpenSpace {
  ready: boolean;
  progress: SpaceInfo['progress'];
  opening: Promise<void> | null;
}

export interface SpaceControllerOptions {
  readonly defaultSpace: string;
  /** Opened by `createKalphite`. */
  readonly initial: readonly string[];
  /** Without sync a space is ready once its local copy is in memory. */
  readonly syncs: boolean;
  readonly store: MemoryStore;
  /** This engine's local writes on their way (the adopt rule puts them on top). */
  readonly localWrite: LocalWrites;
  /** Persists every write made so far (closing a space waits for it). */
  readonly flush: () => Promise<void>;
  /** Forgets the pending writes of these entities (a lost space's: they have nowhere to go). */
  readonly dropPending: (ids: ReadonlySet<string>) => void;
  readonly emit: EmitEvent;
  readonly now: () => number;
}

/**
 * The spaces of one engine: which are open in memory (the store's rule for local writes, and the
 * replica's for where pulls land), and `kalphite.spaces` over them. Memory holds only open spaces.
 */
export class SpaceController implements KalphiteSpaces, SpaceRules, MemorySpaces {
  readonly defaultSpace: string;
  readonly #o: SpaceControllerOptions;
  readonly #open = new Map<string, OpenSpace>();
  readonly #errors = new Map<string, KalphiteError>();
  /** Spaces being closed: an `open` waits for the close, then opens afresh. */
  readonly #closing = new Map<string, Promise<void>>();
  readonly #bus = new EventBus<void>();
  #replica: Replica | null = null;
  /** Settles once the local db has opened (or failed to): opening and closing spaces wait for it. */
  readonly #opened: Promise<Replica>;
  #settle!: { resolve: (replica: Replica) => void; reject: (error: KalphiteError) => void };
  #cache = new Map<string, SpaceInfo>();

  constructor(options: SpaceControllerOptions) {
    this.#o = options;
    this.#opened = new Promise<Replica>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#opened.catch(() => {});
    this.defaultSpace = options.defaultSpace;
    for (const space of options.initial) this.#open.set(space, { ready: !options.syncs, progress: null, opening: null });
  }

  /**
   * The replica exists once the local db is open; the initial spaces are then in memory. Null: it
   * did not open, and opening a space fails with `error`.
   */
  attach(replica: Replica | null, error?: KalphiteError): void {
    this.#replica = replica;
    if (replica) this.#settle.resolve(replica);
    else this.#settle.reject(error ?? new KalphiteError('closed', 'The local database is not open.'));
    this.#changed();
  }

  /**
   * Keeps what `get()` shows current: progress, and the initial spaces' readiness — their first
   * pull landed, or a pull found no server (offline: their local copy is what there is).
   */
  hear = (event: KalphiteEvent): void => {
    if (event.type === 'space:progress') {
      const open = this.#open.get(event.space);
      if (open) open.progress = event.more ? { pages: event.pages, entities: event.entities } : null;
    } else if (event.type === 'sync:pull-succeeded') {
      const open = this.#open.get(event.space);
      if (open && !open.ready && open.opening === null) open.ready = true;
    } else if (event.type === 'space:lost') {
      // Heard from the leader tab too: its sync lost the space for every tab.
      if (this.#open.has(event.space)) this.lost(event.space, event.error);
    } else if (event.type === 'sync:request-failed' && event.kind === 'pull' && event.status === null) {
      for (const open of this.#open.values()) if (open.opening === null) open.ready = true;
    } else if (!(event.type.startsWith('space:') || event.type === 'sync:refused' || event.type === 'outbox:acknowledged' || event.type === 'sync:request-failed')) {
      return;
    }
    this.#changed();
  };

  // Arrows: handed around as functions (the tabs adopt others' changes by them).
  holds = (space: string): boolean => this.#open.has(space);

  openIds = (): readonly string[] => [...this.#open.keys()];

  checkWrite(space: string): void {
    if (!this.#open.has(space)) {
      throw new KalphiteError('space-not-open', `Space ${space} is not open here: open it with kalphite.spaces.open(${JSON.stringify(space)}) before writing to it.`);
    }
    if (this.#replica?.writable(space) === false) {
      throw new KalphiteError('read-only-space', `Space ${space} is read-only for you (the server says so): this write was not made.`);
    }
  }

  open(id: string): Promise<void> {
    const problem = spaceProblem(id);
    if (problem) {
      const error = new KalphiteError('invalid-space', `Cannot open a space: ${problem}.`);
      this.#errors.set(id, error);
      this.#changed();
      return Promise.reject(error);
    }
    const closing = this.#closing.get(id);
    if (closing) return closing.then(() => this.open(id));
    const known = this.#open.get(id);
    if (known) return known.opening ?? Promise.resolve();
    const state: OpenSpace = { ready: false, progress: null, opening: null };
    this.#open.set(id, state);
    this.#errors.delete(id);
    state.opening = this.#load(id, state).finally(() => {
      state.opening = null;
      this.#changed();
    });
    this.#changed();
    return state.opening;
  }

  async #load(id: string, state: OpenSpace): Promise<void> {
    const { store, localWrite, emit, now } = this.#o;
    const startedAt = now();
    try {
      const replica = this.#replica ?? (await this.#opened);
      const local = await replica.loadSpace(id);
      // Closed again while its local copy loaded: nothing to put in memory.
      if (this.#open.get(id) !== state) return;
      const adopted = adoptSpace(store, id, local.map((entity) => [entity.id, entity] as const), localWrite, (entityId, heldIn) => emit({ type: 'space:held-aside', space: id, id: entityId, heldIn }));
      emit({ type: 'space:opened', space: id, entityCount: adopted.length, durationMs: now() - startedAt, pulled: false });
      this.#changed();
      await replica.syncSpace(id);
      if (this.#open.get(id) !== state) return;
      state.ready = true;
      state.progress = null;
      emit({ type: 'space:opened', space: id, entityCount: countIn(store, id), durationMs: now() - startedAt, pulled: true });
    } catch (cause) {
      const error = toKalphiteError('db-failed', cause);
      if (this.#open.get(id) === state) {
        this.#open.delete(id);
        this.#o.dropPending(new Set(idsIn(store, id)));
        releaseSpace(store, id);
        // Not synced either: nothing holds it now. The open's own error is the one to report.
        await this.#replica?.closeSpace(id, false).catch(() => {});
      }
      this.#errors.set(id, error);
      throw error;
    }
  }

  close(id: string, options: { readonly forget?: boolean } = {}): Promise<void> {
    const pending = this.#closing.get(id);
    if (pending) return pending;
    const state = this.#open.get(id);
    const forget = options.forget === true;
    if (!state && !forget) return Promise.resolve();
    // Closed to writes at once (they throw space-not-open), so none lands between the flush and the release.
    this.#open.delete(id);
    const closing = (async () => {
      try {
        // Memory's writes reach the outbox first: they are still pushed once the space is closed.
        await this.#o.flush();
        if (state) releaseSpace(this.#o.store, id);
        await (this.#replica ?? (await this.#opened)).closeSpace(id, forget);
        this.#o.emit({ type: 'space:closed', space: id, forgot: forget });
      } finally {
        this.#closing.delete(id);
        this.#changed();
      }
    })();
    this.#closing.set(id, closing);
    this.#changed();
    return closing;
  }

  lost(space: string, error: KalphiteError): void {
    if (this.#open.delete(space)) {
      // Its writes not yet flushed would otherwise flush as deletes of what memory let go.
      this.#o.dropPending(new Set(idsIn(this.#o.store, space)));
      releaseSpace(this.#o.store, space);
    }
    this.#errors.set(space, error);
    this.#changed();
  }

  list(): readonly SpaceInfo[] {
    // The replica's picture of its spaces once for the whole list, not once per space.
    const known = new Map((this.#replica?.knownSpaces() ?? []).map((s) => [s.space, s]));
    // Spaces that failed to open or were lost stay listed with their error.
    const ids = new Set([...this.#open.keys(), ...known.keys(), ...this.#errors.keys()]);
    return [...ids].sort().map((id) => this.#info(id, () => known.get(id)));
  }

  get(id: string): SpaceInfo {
    return this.#info(id, () => this.#replica?.knownSpaces().find((s) => s.space === id));
  }

  #info(id: string, knownSpace: () => KnownSpace | undefined): SpaceInfo {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    const known = knownSpace();
    const open = this.#open.get(id);
    const info: SpaceInfo = {
      id,
      open: open !== undefined,
      ready: open?.ready ?? false,
      writable: known?.writable ?? null,
      cookie: known?.cookie ?? null,
      unacknowledged: known?.unacknowledged ?? 0,
      lastRefusal: known?.lastRefusal ?? null,
      progress: open?.progress ?? null,
      tabs: known ? known.tabs : open ? 1 : 0,
      error: this.#errors.get(id) ?? null,
    };
    this.#cache.set(id, info);
    return info;
  }

  subscribe = (listener: () => void): (() => void) => this.#bus.subscribe(listener);

  #changed(): void {
    this.#cache = new Map();
    this.#bus.emit(undefined);
  }
}

function countIn(store: MemoryStore, space: string): number {
  let count = 0;
  for (const entity of store.entities.values()) if (entity.space === space) count++;
  return count;
}
