import { adoptExternal, adoptSnapshot } from '../store/adopt.js';
import type { BatchTarget, BatchQueue } from './batch-queue.js';
import type { Entity } from '../store/entity.js';
import type { Environment } from '../environment.js';
import { KalphiteError, toKalphiteError } from '../errors.js';
import type { EmitEvent, KalphiteEvent, TabRole } from '../events.js';
import { FollowerSync, fromPlainError, idleSyncStatus, toPlainError, type SyncCall, type SyncCallResult } from './follower-sync.js';
import type { FlushOp, LocalDb } from '../persist/local-db.js';
import type { MemoryStore } from '../store/store.js';
import type { SyncClient } from '../sync/sync-client.js';
import type { TabLink } from './tab-link.js';
import { parseTabMessage, type ForwardedEvent, type TabChange, type TabMessage } from './tab-messages.js';

/** What a tab has once it leads: the opened local db, its entities, and a sync client not yet started. */
export interface Leadership {
  readonly db: LocalDb;
  readonly entities: readonly Entity[];
  readonly sync: SyncClient | null;
}

export interface TabSessionOptions {
  /** Null: this engine is the only one on its dataDir (Node, `memory://`, `tabs: false`). */
  readonly link: TabLink | null;
  /** The lock and channel name, one per dataDir. */
  readonly name: string;
  readonly clientId: () => string;
  readonly store: MemoryStore;
  /** Whether this tab has a write of its own on the way for `id` (it then keeps its value). */
  readonly isPending: (id: string) => boolean;
  readonly writer: BatchQueue;
  /** Whether the engine syncs (has a `syncUrl`): a follower then shows and drives the leader's sync. */
  readonly syncs: boolean;
  readonly env: Environment;
  readonly emit: EmitEvent;
  /** The engine's events, for passing the leader's sync events on. */
  readonly subscribe: (listener: (event: KalphiteEvent) => void) => () => void;
  /** Opens the local db: called when this tab gets the lock. */
  readonly lead: () => Promise<Leadership>;
}

/** How long a tab that failed to open the local db waits before queueing for the lock again. */
const TAKEOVER_RETRY_MS = 1000;

/**
 * This tab among the tabs sharing a dataDir. The leader (holder of the lock) owns the local db and
 * sync and serves the others; every tab keeps all entities in memory. Own writes go to every tab at
 * once; followers' flush batches go to the leader as numbered batches; the leader tells every tab
 * what landed in the local db, and each adopts it where it has no write of its own on the way.
 */
export class TabSession {
  readonly #o: TabSessionOptions;
  readonly #channel;
  /** A follower's `kalphite.sync`: the leader's, seen from this tab (null without sync or tabs). */
  readonly followerSync: FollowerSync | null;
  #role: TabRole = 'follower';
  #tabs = 1;
  readonly #followers = new Set<string>();
  #leadership: Leadership | null = null;
  #clientGroupId = '';
  #ready = false;
  #closed = false;
  #releaseLock: () => void = () => {};
  readonly #stops: (() => void)[] = [];

  private constructor(options: TabSessionOptions) {
    this.#o = options;
    this.#channel = options.link?.channel(options.name) ?? null;
    this.followerSync =
      this.#channel && options.syncs
        ? new FollowerSync((call, id) => this.#post({ kind: 'sync-call', from: options.clientId(), id, call }), options.clientId, idleSyncStatus())
        : null;
  }

  /** Resolves once this tab leads (the local db is open) or follows (a leader sent its snapshot). */
  static async open(options: TabSessionOptions): Promise<TabSession> {
    const session = new TabSession(options);
    try {
      await session.#start();
    } catch (error) {
      session.close();
      throw error;
    }
    return session;
  }

  get role(): TabRole {
    return this.#role;
  }

  /** Tabs on this dataDir, this one included. */
  get tabs(): number {
    return this.#tabs;
  }

  /** Other tabs this leader serves (0 for a follower). */
  get followers(): number {
    return this.#followers.size;
  }

  get clientGroupId(): string {
    return this.#leadership?.db.clientGroupId ?? this.#clientGroupId;
  }

  /** Says goodbye and lets the next tab lead. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#post({ kind: 'bye', from: this.#o.clientId() });
    for (const stop of this.#stops.splice(0)) stop();
    this.#releaseLock();
    this.#channel?.close();
  }

  #start(): Promise<void> {
    const { store, clientId } = this.#o;
    // A lone engine (no tab link) has no one to tell: its writes pay nothing for tabs.
    if (this.#channel) {
      this.#stops.push(
        store.subscribe((commit) => {
          const changes = commit.changes.map((c) => [c.id, c.after ?? null] as const);
          // Own writes go to every tab at once; the leader also passes on what sync pulled into the local db.
          if (commit.origin === 'local') this.#post({ kind: 'changes', from: clientId(), changes });
          else if (this.#role === 'leader' && commit.origin === 'server') this.#post({ kind: 'persisted', from: clientId(), changes });
        }),
        // The leader's sync events reach every tab, so each one's status and devtools stay current.
        this.#o.subscribe((event) => {
          const sync = this.#leadership?.sync;
          if (!sync || !(event.type.startsWith('sync:') || event.type === 'outbox:acknowledged')) return;
          this.#post({ kind: 'sync-event', from: clientId(), event: toForwarded(event), status: sync.status });
        }),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const ready = () => {
        if (this.#ready) return;
        this.#ready = true;
        resolve();
      };
      if (this.#channel) this.#stops.push(this.#channel.subscribe((raw) => this.#receive(raw, ready)));
      const takeOver = () => {
        this.#lead().then(ready, (error: unknown) => {
          // Opening fails createKalphite; a failed takeover later is reported (writes wait in
          // memory) and the lock goes back in the queue after a while, so another tab can try.
          if (!this.#ready) return reject(error);
          this.#o.emit({ type: 'tabs:takeover-failed', error: toKalphiteError('db-failed', error) });
          const link = this.#o.link;
          if (!link) return;
          this.#releaseLock();
          this.#o.env.setTimeout(() => {
            if (!this.#closed) this.#releaseLock = link.lock(this.#o.name, takeOver);
          }, TAKEOVER_RETRY_MS);
        });
      };
      if (this.#o.link) {
        this.#releaseLock = this.#o.link.lock(this.#o.name, takeOver);
        this.#post({ kind: 'hello', from: clientId() });
      } else {
        takeOver();
      }
    });
  }

  async #lead(): Promise<void> {
    const leadership = await this.#o.lead();
    const { store, writer } = this.#o;
    const { followerSync } = this;
    this.#leadership = leadership;
    if (this.#ready) this.#reconcile(leadership.entities);
    else store.load(leadership.entities);
    this.#setTabs('leader', this.#followers.size + 1);
    followerSync?.abandon('This tab became the leader: it syncs itself now.');
    writer.setTarget(this.#toLocalDb);
    leadership.sync?.start();
    this.#post({ kind: 'leader', from: this.#o.clientId() });
  }

  /** Leader only: writes one numbered batch of any tab to the local db and tells every tab. */
  async #persist(ops: readonly FlushOp[], writerId: string, batch: number): Promise<number | null> {
    const leadership = this.#leadership;
    if (!leadership) throw new KalphiteError('not-leader', 'This tab does not hold the local database.');
    const last = await leadership.db.writeBatch(ops, { clientId: writerId, batch });
    if (last !== null) {
      const changes = ops.map((op) => [op.id, op.entity] as const);
      if (writerId !== this.#o.clientId()) this.#adopt(changes);
      this.#post({ kind: 'persisted', from: this.#o.clientId(), changes });
      leadership.sync?.schedulePush();
    }
    return last;
  }

  readonly #toLocalDb: BatchTarget = (ops, batch) => {
    this.#persist(ops, this.#o.clientId(), batch).then(
      (lastMutationId) => this.#o.writer.settle(batch, { lastMutationId }),
      (error: unknown) => this.#o.writer.settle(batch, { error: toKalphiteError('db-failed', error) }),
    );
  };

  readonly #toLeader: BatchTarget = (ops, batch) => {
    const clientId = this.#o.clientId();
    this.#post({ kind: 'batch', from: clientId, clientId, batch, ops });
  };

  #receive(raw: unknown, ready: () => void): void {
    const message = parseTabMessage(raw);
    const me = this.#o.clientId();
    if (!message || message.from === me) return;
    const { store, writer } = this.#o;
    const { followerSync } = this;
    const leading = this.#role === 'leader' && this.#leadership !== null;
    switch (message.kind) {
      case 'hello':
        if (!leading || !this.#ready) return;
        this.#followers.add(message.from);
        this.#post({ kind: 'snapshot', from: me, to: message.from, clientGroupId: this.clientGroupId, entities: store.getAll(), tabs: this.#followers.size + 1, sync: this.#leadership?.sync?.status ?? null });
        this.#announceTabs();
        return;
      case 'bye':
        if (leading && this.#followers.delete(message.from)) this.#announceTabs();
        return;
      case 'leader':
        // A new leader: it gets every unanswered batch again, and a snapshot puts memory in step.
        followerSync?.abandon('The leader tab went away before answering.');
        writer.setTarget(this.#toLeader);
        this.#post({ kind: 'hello', from: me });
        return;
      case 'snapshot':
        if (message.to !== me || leading) return;
        this.#clientGroupId = message.clientGroupId;
        if (message.sync) followerSync?.update(message.sync);
        if (this.#ready) this.#reconcile(message.entities);
        else store.load(message.entities);
        writer.setTarget(this.#toLeader);
        this.#setTabs('follower', message.tabs);
        ready();
        return;
      case 'changes':
        if (this.#ready) this.#adopt(message.changes);
        return;
      case 'persisted':
        if (this.#ready && !leading) this.#adopt(message.changes);
        return;
      case 'batch':
        if (!leading) return;
        this.#persist(message.ops, message.clientId, message.batch).then(
          (lastMutationId) => this.#post({ kind: 'ack', from: me, to: message.from, batch: message.batch, lastMutationId, error: null }),
          (error: unknown) => this.#post({ kind: 'ack', from: me, to: message.from, batch: message.batch, lastMutationId: null, error: toPlainError(toKalphiteError('db-failed', error)) }),
        );
        return;
      case 'ack':
        if (message.to !== me) return;
        writer.settle(message.batch, message.error ? { error: new KalphiteError('db-failed', `The leader tab could not write: ${message.error.message}`) } : { lastMutationId: message.lastMutationId });
        return;
      case 'tabs':
        if (!leading) this.#setTabs('follower', message.tabs);
        return;
      case 'sync-event':
        if (leading || !followerSync) return;
        followerSync.update(message.status, message.event.type === 'outbox:acknowledged' ? message.event.byClient : undefined);
        this.#o.emit(fromForwarded(message.event));
        return;
      case 'sync-call':
        if (leading) this.#answerSyncCall(message.from, message.id, message.call);
        return;
      case 'sync-answer':
        if (message.to === me) followerSync?.answer(message.id, message.result, message.error);
        return;
    }
  }

  /** Another tab's (or the local db's) values, by the one adopt rule; origin `tab`, so never passed on again. */
  #adopt(changes: Iterable<TabChange>): void {
    adoptExternal(this.#o.store, changes, this.#o.isPending, 'tab');
  }

  #reconcile(entities: readonly Entity[]): void {
    adoptSnapshot(this.#o.store, entities, this.#o.isPending, 'tab');
  }

  /** Leader only: runs a follower's sync call and answers it. */
  #answerSyncCall(to: string, id: number, call: SyncCall): void {
    const answer = (result: SyncCallResult, error: KalphiteError | null) =>
      this.#post({ kind: 'sync-answer', from: this.#o.clientId(), to, id, result, error: error && toPlainError(error) });
    const sync = this.#leadership?.sync;
    if (!sync) return answer(null, new KalphiteError('invalid-options', 'The leader tab does not sync (no syncUrl).'));
    const running: Promise<SyncCallResult> =
      call === 'push' ? sync.push().then(() => null)
      : call === 'pull' ? sync.pull().then(() => null)
      : call === 'verify' ? sync.verify()
      : call === 'drop-blocked' ? sync.dropBlocked()
      : Promise.resolve(null).then(() => {
          if (call === 'pause') sync.pause();
          else if (call === 'resume') sync.resume();
          else if (call === 'retry') sync.retry();
          else sync.setOffline(call === 'offline');
          return null;
        });
    running.then(
      (result) => answer(result, null),
      (error: unknown) => answer(null, toKalphiteError('network', error)),
    );
  }

  #announceTabs(): void {
    this.#post({ kind: 'tabs', from: this.#o.clientId(), tabs: this.#followers.size + 1 });
    this.#setTabs('leader', this.#followers.size + 1);
  }

  #setTabs(role: TabRole, tabs: number): void {
    if (this.#role === role && this.#tabs === tabs) return;
    this.#role = role;
    this.#tabs = tabs;
    this.#o.emit({ type: 'tabs:changed', role, tabs });
  }

  #post(message: TabMessage): void {
    if (!this.#closed || message.kind === 'bye') this.#channel?.post(message);
  }
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
