import { KalphiteError, toKalphiteError } from '../errors.js';
import type { KalphiteEvent } from '../events.js';
import type { FlushOp } from '../persist/local-db.js';
import type { LocalReplica, Replica } from '../replica.js';
import { adoptHeld } from '../store/adopt.js';
import type { Entity } from '../store/entity.js';
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
  /** The spaces each follower's memory holds: the local db syncs them with this tab's own. */
  readonly #held = new Map<string, Set<string>>();
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
    return this.#local.knownSpaces().map((known) => {
      let tabs = this.#ctx.spaces.holds(known.space) ? 1 : 0;
      for (const spaces of this.#held.values()) if (spaces.has(known.space)) tabs++;
      return { ...known, tabs };
    });
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

  /** This tab's memory let go of `space`: sync stops only if no other tab holds it either. */
  async closeSpace(space: string, forget: boolean): Promise<void> {
    if (!this.#heldByFollowers(space)) await this.#local.closeSpace(space, forget);
  }

  #heldByFollowers(space: string): boolean {
    for (const spaces of this.#held.values()) if (spaces.has(space)) return true;
    return false;
  }

  /** A follower let go of spaces: sync stops for each no tab holds any more. */
  async #release(follower: string, spaces: Iterable<string>, forget: boolean): Promise<void> {
    const held = this.#held.get(follower);
    for (const space of [...spaces]) {
      held?.delete(space);
      if (!this.#heldByFollowers(space) && !this.#ctx.spaces.holds(space)) await this.#local.closeSpace(space, forget);
    }
  }

  /** What a tab opening `space` starts from: this tab's memory if it holds the space (it has writes on their way), else the local db. */
  async #copyOf(space: string): Promise<Entity[]> {
    if (this.#ctx.spaces.holds(space)) return this.#ctx.store.getAll().filter((entity) => entity.space === space);
    return this.#local.loadSpace(space);
  }

  #hold(follower: string, space: string): void {
    let held = this.#held.get(follower);
    if (!held) this.#held.set(follower, (held = new Set()));
    held.add(space);
  }

  changeLog(limit: number): ReturnType<Replica['changeLog']> {
    return this.#local.changeLog(limit);
  }

  heldAside(): ReturnType<Replica['heldAside']> {
    return this.#local.heldAside();
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
      // What sync pulled into the local db reaches every tab (each adopts the spaces it holds).
      this.#local.onPulled((space, changes) => {
        if (this.#followers.size > 0 && changes.length > 0) ctx.post({ kind: 'persisted', from: ctx.id, space, changes });
      }),
      // The leader's sync events reach every tab, so each one's status and devtools stay current.
      ctx.subscribe((event) => {
        const sync = this.#local.sync;
        if (!sync || !FORWARDED.has(event.type)) return;
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
      if (clientId !== this.#local.clientId) adoptHeld(this.#ctx.store, changes, this.#ctx.localWrite, this.#ctx.spaces.holds, 'tab');
      // Cloning every entity into the channel costs the main thread ~20 ms per 10,000: only for someone listening.
      if (this.#followers.size > 0) this.#ctx.post({ kind: 'persisted', from: this.#ctx.id, changes });
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
      const spaces = message.spaces;
      for (const space of spaces) this.#hold(message.from, space);
      void Promise.all(spaces.map((space) => this.#copyOf(space))).then(
        (copies) => {
          if (!this.#followers.has(message.from)) return;
          ctx.post({
            kind: 'snapshot',
            from: ctx.id,
            to: message.from,
            profileId: this.profileId,
            entities: copies.flat(),
            tabs: this.#followers.size + 1,
            sync: this.#local.sync?.status ?? null,
            protocol: TAB_PROTOCOL,
          });
          this.#announce();
          // Pulled in the background; the follower's memory has the local copy meanwhile.
          for (const space of spaces) this.#local.syncSpace(space).catch(() => {});
        },
        // The local db could not be read: the new tab cannot join, and hears why.
        (error: unknown) =>
          ctx.post({ kind: 'snapshot', from: ctx.id, to: message.from, profileId: this.profileId, entities: [], tabs: this.#followers.size + 1, sync: null, protocol: TAB_PROTOCOL, error: toPlainError(toKalphiteError('db-failed', error)) }),
      );
    },
    bye: (message) => {
      if (!this.#followers.delete(message.from)) return;
      this.#announce();
      void this.#release(message.from, this.#held.get(message.from) ?? [], false).finally(() => this.#held.delete(message.from));
    },
    changes: (message) => {
      adoptHeld(this.#ctx.store, message.changes, this.#ctx.localWrite, this.#ctx.spaces.holds, 'tab');
    },
    'open-space': (message) => {
      const ctx = this.#ctx;
      this.#hold(message.from, message.space);
      this.#copyOf(message.space).then(
        (entities) => {
          ctx.post({ kind: 'space-loaded', from: ctx.id, to: message.from, id: message.id, entities, error: null });
          this.#local.syncSpace(message.space).then(
            () => ctx.post({ kind: 'space-synced', from: ctx.id, to: message.from, id: message.id, error: null }),
            (error: unknown) => ctx.post({ kind: 'space-synced', from: ctx.id, to: message.from, id: message.id, error: toPlainError(toKalphiteError('network', error)) }),
          );
        },
        (error: unknown) => ctx.post({ kind: 'space-loaded', from: ctx.id, to: message.from, id: message.id, entities: [], error: toPlainError(toKalphiteError('db-failed', error)) }),
      );
    },
    'close-space': (message) => {
      void this.#release(message.from, [message.space], message.forget);
    },
    batch: (message) => {
      const ctx = this.#ctx;
      this.#persist(message.ops, message.clientId, message.batch).then(
        (mutationIds) => ctx.post({ kind: 'ack', from: ctx.id, to: message.from, batch: message.batch, mutationIds, error: null }),
        (error: unknown) => ctx.post({ kind: 'ack', from: ctx.id, to: message.from, batch: message.batch, mutationIds: null, error: toPlainError(toKalphiteError('db-failed', error)) }),
      );
    },
    'sync-call': (message) => this.#answerSyncCall(message.from, message.id, message.call, message.space, message.type),
  };

  /** Runs a follower's sync call and answers it. */
  #answerSyncCall(to: string, id: number, call: SyncCall, space: string | undefined, type: string | undefined): void {
    const answer = (result: SyncCallResult, error: KalphiteError | null) =>
      this.#ctx.post({ kind: 'sync-answer', from: this.#ctx.id, to, id, result, error: error && toPlainError(error) });
    const sync = this.#local.sync;
    if (!sync) return answer(null, new KalphiteError('invalid-options', 'The leader tab does not sync (no syncUrl).'));
    const running: Promise<SyncCallResult> =
      call === 'push' ? sync.push().then(() => null)
      : call === 'pull' ? sync.pull().then(() => null)
      : call === 'verify' ? sync.verify(space)
      : call === 'divergence' ? sync.checkDivergence(space, type)
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

/** The leader's events every tab hears as its own: sync, acknowledgements, and what happens to spaces. */
const FORWARDED = new Set<KalphiteEvent['type']>([
  'sync:push-started',
  'sync:push-succeeded',
  'sync:pull-started',
  'sync:pull-succeeded',
  'sync:request-failed',
  'sync:refused',
  'sync:poke',
  'sync:poke-failed',
  'sync:status',
  'outbox:acknowledged',
  'space:progress',
  'space:writable',
  'space:lost',
]);

/** A leader's sync event, for another tab: without its time, its error plain. */
function toForwarded(event: KalphiteEvent): ForwardedEvent {
  const { at: _at, ...rest } = event as Extract<KalphiteEvent, ForwardedEvent>;
  return ('error' in rest ? { ...rest, error: toPlainError(rest.error) } : rest) as ForwardedEvent;
}
