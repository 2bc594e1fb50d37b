import { KalphiteError, toKalphiteError } from '../errors.js';
import type { KalphiteEvent } from '../events.js';
import type { FlushOp } from '../persist/local-db.js';
import type { LocalReplica, Replica } from '../replica.js';
import { adoptExternal } from '../store/adopt.js';
import type { BatchTarget } from './batch-queue.js';
import { toPlainError, type SyncCall, type SyncCallResult } from './follower-sync.js';
import type { MessageHandlers, Role, TabContext } from './role.js';
import { TAB_PROTOCOL, type ForwardedEvent } from './tab-messages.js';

/**
 * The tab that holds the lock: it owns the local db and sync (a `LocalReplica`) and serves the
 * others — a snapshot to each new tab, their batches written in order and answered, their sync
 * calls run, and what landed in the local db told to every tab.
 */
export class Leader implements Role {
  readonly #ctx: TabContext;
  readonly #local: LocalReplica;
  readonly #followers = new Set<string>();
  readonly #stops: (() => void)[] = [];

  constructor(ctx: TabContext, local: LocalReplica) {
    this.#ctx = ctx;
    this.#local = local;
  }

  get clientId(): string {
    return this.#local.clientId;
  }

  get profileId(): string {
    return this.#local.profileId;
  }

  get sync(): Replica['sync'] {
    return this.#local.sync;
  }

  get outbox(): Replica['outbox'] {
    return this.#local.outbox;
  }

  get tabs(): Replica['tabs'] {
    return { role: 'leader', count: this.#followers.size + 1 };
  }

  writeBatch = (ops: readonly FlushOp[]): Promise<readonly number[]> => this.#ctx.queue.writeBatch(ops);

  knownSpaces(): ReturnType<Replica['knownSpaces']> {
    return this.#local.knownSpaces();
  }

  writable(space: string): boolean | null {
    return this.#local.writable(space);
  }

  loadSpace(space: string): ReturnType<Replica['loadSpace']> {
    return this.#local.loadSpace(space);
  }

  syncSpace(space: string): Promise<void> {
    return this.#local.syncSpace(space);
  }

  closeSpace(space: string, forget: boolean): Promise<void> {
    return this.#local.closeSpace(space, forget);
  }

  changeLog(limit: number): ReturnType<Replica['changeLog']> {
    return this.#local.changeLog(limit);
  }

  async reset(): Promise<void> {
    // Other tabs' clients belong to the old group on the server: they would be refused under a new one.
    if (this.#followers.size > 0) throw new KalphiteError('not-leader', `Close the other ${this.#followers.size} tab(s) on this database before resetting it.`);
    await this.#local.reset();
  }

  close(lastFlush: () => Promise<void>): Promise<void> {
    return this.#local.close(lastFlush);
  }

  /** Begins leading: this tab's unanswered batches go to the local db, sync starts, every tab hears. */
  start(): void {
    const ctx = this.#ctx;
    this.#stops.push(
      // What sync pulled into the local db reaches every tab.
      ctx.store.subscribe((commit) => {
        if (commit.origin === 'server') ctx.post({ kind: 'persisted', from: ctx.id, changes: commit.changes.map((c) => [c.id, c.after ?? null] as const) });
      }),
      // The leader's sync events reach every tab, so each one's status and devtools stay current.
      ctx.subscribe((event) => {
        const sync = this.#local.sync;
        if (!sync || !(event.type.startsWith('sync:') || event.type === 'outbox:acknowledged')) return;
        ctx.post({ kind: 'sync-event', from: ctx.id, event: toForwarded(event), status: sync.status });
      }),
    );
    ctx.queue.setTarget(this.#toLocalDb);
    this.#local.start();
    ctx.post({ kind: 'leader', from: ctx.id });
    this.#announce();
  }

  leave(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  /** Writes one numbered batch of any tab to the local db and tells every tab. */
  async #persist(ops: readonly FlushOp[], clientId: string, batch: number): Promise<readonly number[] | null> {
    const last = await this.#local.persist(ops, { clientId, batch });
    if (last !== null) {
      const changes = ops.map((op) => [op.id, op.entity] as const);
      if (clientId !== this.#local.clientId) adoptExternal(this.#ctx.store, changes, this.#ctx.isPending, 'tab');
      this.#ctx.post({ kind: 'persisted', from: this.#ctx.id, changes });
    }
    return last;
  }

  readonly #toLocalDb: BatchTarget = (ops, batch) => {
    this.#persist(ops, this.#local.clientId, batch).then(
      (mutationIds) => this.#ctx.queue.settle(batch, { mutationIds }),
      (error: unknown) => this.#ctx.queue.settle(batch, { error: toKalphiteError('db-failed', error) }),
    );
  };

  readonly handlers: MessageHandlers = {
    hello: (message) => {
      const ctx = this.#ctx;
      if (message.protocol !== TAB_PROTOCOL) return ctx.post({ kind: 'incompatible', from: ctx.id, to: message.from, protocol: TAB_PROTOCOL });
      this.#followers.add(message.from);
      ctx.post({
        kind: 'snapshot',
        from: ctx.id,
        to: message.from,
        profileId: this.profileId,
        entities: ctx.store.getAll(),
        tabs: this.#followers.size + 1,
        sync: this.#local.sync?.status ?? null,
        protocol: TAB_PROTOCOL,
      });
      this.#announce();
    },
    bye: (message) => {
      if (this.#followers.delete(message.from)) this.#announce();
    },
    changes: (message) => {
      adoptExternal(this.#ctx.store, message.changes, this.#ctx.isPending, 'tab');
    },
    batch: (message) => {
      const ctx = this.#ctx;
      this.#persist(message.ops, message.clientId, message.batch).then(
        (mutationIds) => ctx.post({ kind: 'ack', from: ctx.id, to: message.from, batch: message.batch, mutationIds, error: null }),
        (error: unknown) => ctx.post({ kind: 'ack', from: ctx.id, to: message.from, batch: message.batch, mutationIds: null, error: toPlainError(toKalphiteError('db-failed', error)) }),
      );
    },
    'sync-call': (message) => this.#answerSyncCall(message.from, message.id, message.call, message.space),
  };

  /** Runs a follower's sync call and answers it. */
  #answerSyncCall(to: string, id: number, call: SyncCall, space: string | undefined): void {
    const answer = (result: SyncCallResult, error: KalphiteError | null) =>
      this.#ctx.post({ kind: 'sync-answer', from: this.#ctx.id, to, id, result, error: error && toPlainError(error) });
    const sync = this.#local.sync;
    if (!sync) return answer(null, new KalphiteError('invalid-options', 'The leader tab does not sync (no syncUrl).'));
    const running: Promise<SyncCallResult> =
      call === 'push' ? sync.push().then(() => null)
      : call === 'pull' ? sync.pull().then(() => null)
      : call === 'verify' ? sync.verify(space)
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

  #announce(): void {
    const count = this.#followers.size + 1;
    this.#ctx.post({ kind: 'tabs', from: this.#ctx.id, tabs: count });
    this.#ctx.setTabs('leader', count);
  }
}

/** A leader's sync event, for another tab: without its time, its error plain. */
function toForwarded(event: KalphiteEvent): ForwardedEvent {
  const { at: _at, ...rest } = event as Extract<KalphiteEvent, ForwardedEvent>;
  return ('error' in rest ? { ...rest, error: toPlainError(rest.error) } : rest) as ForwardedEvent;
}
