import type { Environment } from '../environment.js';
import { KalphiteError, toKalphiteError } from '../errors.js';
import type { FlushOp } from '../persist/local-db.js';
import type { LocalReplica, Replica } from '../replica.js';
import { adoptSnapshot } from '../store/adopt.js';
import type { Entity } from '../store/entity.js';
import { BatchQueue } from './batch-queue.js';
import { Follower } from './follower.js';
import { Leader } from './leader.js';
import type { MessageHandlers, Role, TabContext } from './role.js';
import type { TabLink } from './tab-link.js';
import { parseTabMessage, TAB_PROTOCOL, type TabMessage } from './tab-messages.js';

export interface TabSessionOptions extends Pick<TabContext, 'id' | 'store' | 'localWrite' | 'emit' | 'subscribe' | 'spaces'> {
  readonly link: TabLink;
  /** The lock and channel name, one per dataDir. */
  readonly name: string;
  /** Whether the engine syncs: a follower then shows and drives the leader's sync. */
  readonly syncs: boolean;
  readonly env: Environment;
  /** Opens the local db as this tab's client: called when this tab gets the lock. */
  readonly openLocal: (clientId: string) => Promise<{ replica: LocalReplica; entities: Entity[] }>;
  readonly followerCloseWaitMs: number;
  readonly takeoverRetryMs: number;
}

/**
 * This tab among the tabs sharing a dataDir: the lock, takeover and the channel. Whatever this tab
 * is — a follower until it holds the lock (or a leader's snapshot arrives), then perhaps the leader —
 * it is one `Replica` to its engine, and each message goes to its role's handler table. Own writes go
 * to every tab at once, whatever the role.
 *
 * States: waiting (a follower without a snapshot) → following (a snapshot arrived) or leading (this
 * tab got the lock and opened the local db); following → leading when the leader goes. A failed
 * takeover reports, keeps the writes in memory and queues for the lock again.
 */
export class TabSession implements Replica {
  readonly #o: TabSessionOptions;
  readonly #channel;
  readonly #queue = new BatchQueue();
  readonly #context: TabContext;
  #role: Role;
  #joined = false;
  #closed = false;
  #refused = 0;
  #releaseLock: () => void = () => {};
  readonly #stops: (() => void)[] = [];
  #settle: { resolve: () => void; reject: (error: KalphiteError) => void } | null = null;

  private constructor(options: TabSessionOptions) {
    this.#o = options;
    this.#channel = options.link.channel(options.name);
    const { id, store, localWrite, emit, subscribe, spaces } = options;
    const setTabs: TabContext['setTabs'] = (role, count) => emit({ type: 'tabs:changed', role, tabs: count });
    this.#context = { id, store, localWrite, emit, subscribe, setTabs, spaces, queue: this.#queue, post: (message) => this.#post(message) };
    this.#role = new Follower(this.#context, {
      syncs: options.syncs,
      env: options.env,
      closeWaitMs: options.followerCloseWaitMs,
      joining: { joined: () => this.#ready(), failed: (error) => this.#ready(error) },
    });
  }

  /** Resolves once this tab leads (the local db is open) or follows (a leader sent its snapshot). */
  static async open(options: TabSessionOptions): Promise<TabSession> {
    const session = new TabSession(options);
    try {
      await session.#start();
    } catch (error) {
      session.#leave();
      throw error;
    }
    return session;
  }

  // The engine's Replica: whatever this tab's role answers.
  get clientId(): string { return this.#role.clientId; }
  get profileId(): string { return this.#role.profileId; }
  get sync(): Replica['sync'] { return this.#role.sync; }
  get outbox(): Replica['outbox'] { return this.#role.outbox; }
  get tabs(): Replica['tabs'] { return { ...this.#role.tabs, refusedMessages: this.#refused }; }

  writeBatch = (ops: readonly FlushOp[]): Promise<readonly number[]> => this.#queue.writeBatch(ops);
  knownSpaces = (): ReturnType<Replica['knownSpaces']> => this.#role.knownSpaces();
  writable = (space: string): boolean | null => this.#role.writable(space);
  loadSpace = (space: string): ReturnType<Replica['loadSpace']> => this.#role.loadSpace(space);
  syncSpace = (space: string): Promise<void> => this.#role.syncSpace(space);
  closeSpace = (space: string, forget: boolean): Promise<void> => this.#role.closeSpace(space, forget);
  changeLog = (limit: number): ReturnType<Replica['changeLog']> => this.#role.changeLog(limit);
  heldAside = (): ReturnType<Replica['heldAside']> => this.#role.heldAside();
  reset = (): Promise<void> => this.#role.reset();

  async close(lastFlush: () => Promise<void>): Promise<void> {
    try {
      await this.#role.close(lastFlush);
    } finally {
      this.#leave();
    }
  }

  #start(): Promise<void> {
    const { store, link, name, id } = this.#o;
    this.#stops.push(
      store.subscribe((commit) => {
        if (commit.origin === 'local') this.#post({ kind: 'changes', from: id, changes: commit.changes.map((c) => [c.id, c.after ?? null] as const) });
      }),
      this.#channel.subscribe((raw) => this.#receive(raw)),
    );
    return new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
      this.#releaseLock = link.lock(name, () => this.#takeOver());
      this.#post({ kind: 'hello', from: id, protocol: TAB_PROTOCOL, spaces: this.#o.spaces.openIds() });
    });
  }

  #takeOver(): void {
    const { store, localWrite, openLocal, id, link, name, env, emit } = this.#o;
    openLocal(id).then(
      ({ replica, entities }) => {
        if (this.#closed) return void replica.close(async () => {});
        // Memory already touched (a server render's snapshot, writes made before this tab joined): by the adopt rule.
        if (this.#joined || store.version > 0) adoptSnapshot(store, entities, localWrite, 'tab');
        else store.load(entities);
        this.#role.leave('This tab became the leader: it syncs itself now.');
        const leader = new Leader(this.#context, replica);
        this.#role = leader;
        leader.start();
        this.#ready();
      },
      (error: unknown) => {
        // Opening fails createKalphite; a failed takeover later is reported (writes wait in memory)
        // and the lock goes back in the queue after a while, so another tab can try.
        if (!this.#joined) return this.#ready(toKalphiteError('db-failed', error));
        emit({ type: 'tabs:takeover-failed', error: toKalphiteError('db-failed', error) });
        this.#releaseLock();
        env.setTimeout(() => {
          if (!this.#closed) this.#releaseLock = link.lock(name, () => this.#takeOver());
        }, this.#o.takeoverRetryMs);
      },
    );
  }

  /** Ends the wait of `open` (once): joined or leading, or failed. */
  #ready(error?: KalphiteError): void {
    if (error) this.#settle?.reject(error);
    else {
      this.#joined = true;
      this.#settle?.resolve();
    }
    this.#settle = null;
  }

  #receive(raw: unknown): void {
    const message = parseTabMessage(raw);
    if (!message) {
      // Counted always, reported once: a tab of another release may send many.
      if (++this.#refused === 1) this.#o.emit({ type: 'tabs:message-refused', refused: this.#refused });
      return;
    }
    if (message.from === this.#o.id) return;
    const handle = (this.#role.handlers as Record<string, ((message: TabMessage) => void) | undefined>)[message.kind satisfies keyof MessageHandlers];
    handle?.(message);
  }

  /** Says goodbye and lets the next tab lead. */
  #leave(): void {
    if (this.#closed) return;
    this.#post({ kind: 'bye', from: this.#o.id });
    this.#closed = true;
    this.#role.leave('This tab closed.');
    for (const stop of this.#stops.splice(0)) stop();
    this.#releaseLock();
    this.#channel.close();
    this.#queue.abandon('This Kalphite instance is closed.');
  }

  #post(message: TabMessage): void {
    if (!this.#closed) this.#channel.post(message);
  }
}
