import type { Environment } from '../environment.js';
import { KalphiteError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import type { FlushOp } from '../persist/local-db.js';
import type { Replica } from '../replica.js';
import { adoptHeld, adoptSnapshot } from '../store/adopt.js';
import type { Entity } from '../store/entity.js';
import type { BatchTarget } from './batch-queue.js';
import { FollowerSync, fromPlainError, idleSyncStatus } from './follower-sync.js';
import type { MessageHandlers, Role, TabContext } from './role.js';
import { TAB_PROTOCOL, type ForwardedEvent } from './tab-messages.js';

/** How a follower tells its session it joined a leader, or cannot. */
export interface Joining {
  /** A leader's snapshot is in memory. */
  joined(): void;
  /** The leader speaks another tab protocol: this tab cannot join it. */
  failed(error: KalphiteError): void;
}

/**
 * The leader tab seen from a follower: the same `Replica` a lone engine has, over the channel.
 * Batches go to the leader through the queue (sent again to a new leader until answered), sync is
 * the leader's (`FollowerSync`), and what the leader persists is adopted by the one rule.
 */
export class Follower implements Role {
  readonly #ctx: TabContext;
  readonly #env: Environment;
  readonly #closeWaitMs: number;
  readonly #joining: Joining;
  readonly sync: FollowerSync | null;
  #profileId = '';
  #count = 1;
  #joined = false;
  #opens = 0;
  /** Spaces being opened through the leader: their local copy, then their first pull. */
  readonly #opening = new Map<number, Opening>();

  constructor(ctx: TabContext, options: { readonly syncs: boolean; readonly env: Environment; readonly closeWaitMs: number; readonly joining: Joining }) {
    this.#ctx = ctx;
    this.#env = options.env;
    this.#closeWaitMs = options.closeWaitMs;
    this.#joining = options.joining;
    this.sync = options.syncs ? new FollowerSync((call, id, space, type) => ctx.post({ kind: 'sync-call', from: ctx.id, id, call, ...(space !== undefined && { space }), ...(type !== undefined && { type }) }), () => ctx.id, idleSyncStatus()) : null;
  }

  get clientId(): string {
    return this.#ctx.id;
  }

  get profileId(): string {
    return this.#profileId;
  }

  get outbox(): Replica['outbox'] {
    // No outbox of its own: the leader's holds every tab's changes.
    return { length: this.sync?.status.unacknowledged ?? 0 };
  }

  knownSpaces(): ReturnType<Replica['knownSpaces']> {
    return (this.sync?.status.spaces ?? []).map((s) => ({ ...s, tabs: null }));
  }

  writable(space: string): boolean | null {
    return this.sync?.status.spaces.find((s) => s.space === space)?.writable ?? null;
  }

  /** The leader syncs every space any tab holds: it answers this space's local copy, then its first pull. */
  loadSpace(space: string): Promise<Entity[]> {
    const id = ++this.#opens;
    const opening: Opening = { space, loaded: deferred(), synced: deferred() };
    // Nobody may be waiting for the pull yet: its failure is the open's, read through syncSpace.
    opening.synced.promise.catch(() => {});
    this.#opening.set(id, opening);
    this.#ctx.post({ kind: 'open-space', from: this.#ctx.id, id, space });
    return opening.loaded.promise;
  }

  syncSpace(space: string): Promise<void> {
    const opening = [...this.#opening.values()].findLast((o) => o.space === space);
    return opening ? opening.synced.promise : Promise.resolve();
  }

  async closeSpace(space: string, forget: boolean): Promise<void> {
    this.#ctx.post({ kind: 'close-space', from: this.#ctx.id, space, forget });
  }

  get tabs(): Replica['tabs'] {
    return { role: 'follower', count: this.#count };
  }

  writeBatch = (ops: readonly FlushOp[]): Promise<readonly number[]> => this.#ctx.queue.writeBatch(ops);

  changeLog(): Promise<never> {
    return Promise.reject(notLeader());
  }

  heldAside(): Promise<never> {
    return Promise.reject(notLeader());
  }

  reset(): Promise<never> {
    return Promise.reject(notLeader());
  }

  /** The last writes need a leader's answer; with none (it failed to take over), give up after a while and say so. */
  async close(lastFlush: () => Promise<void>): Promise<void> {
    const giveUp = this.#env.setTimeout(() => this.#ctx.queue.abandon('No leader tab answered before this tab closed: its last writes were not persisted.'), this.#closeWaitMs);
    try {
      await lastFlush();
    } finally {
      this.#env.clearTimeout(giveUp);
    }
  }

  leave(reason: string): void {
    this.sync?.abandon(reason);
    this.#abandonOpens(reason);
  }

  #abandonOpens(reason: string): void {
    for (const opening of this.#opening.values()) {
      const error = new KalphiteError('not-leader', `${reason} Open space ${opening.space} again.`);
      opening.loaded.reject(error);
      opening.synced.reject(error);
    }
    this.#opening.clear();
  }

  readonly #toLeader: BatchTarget = (ops, batch) => this.#ctx.post({ kind: 'batch', from: this.#ctx.id, clientId: this.#ctx.id, batch, ops });

  readonly handlers: MessageHandlers = {
    leader: () => {
      // A new leader: it gets every unanswered batch again, and a snapshot puts memory in step.
      this.sync?.abandon('The leader tab went away before answering.');
      this.#abandonOpens('The leader tab went away while a space opened.');
      this.#ctx.queue.setTarget(this.#toLeader);
      this.#ctx.post({ kind: 'hello', from: this.#ctx.id, protocol: TAB_PROTOCOL, spaces: this.#ctx.spaces.openIds() });
    },
    snapshot: (message) => {
      if (message.to !== this.#ctx.id) return;
      if (message.protocol !== TAB_PROTOCOL) return this.#incompatible(message.protocol);
      if (message.error) return this.#joining.failed(fromPlainError(message.error));
      const { store, localWrite, queue } = this.#ctx;
      this.#profileId = message.profileId;
      if (message.sync) this.sync?.update(message.sync);
      // Memory already touched (a server render's snapshot, writes made before this tab joined): by the adopt rule.
      if (this.#joined || store.version > 0) adoptSnapshot(store, message.entities, localWrite, 'tab');
      else store.load(message.entities);
      queue.setTarget(this.#toLeader);
      this.#setCount(message.tabs);
      this.#joined = true;
      this.#joining.joined();
    },
    incompatible: (message) => {
      if (message.to === this.#ctx.id) this.#incompatible(message.protocol);
    },
    changes: (message) => {
      if (this.#joined) adoptHeld(this.#ctx.store, message.changes, this.#ctx.localWrite, this.#ctx.spaces.holds, 'tab');
    },
    persisted: (message) => {
      if (this.#joined) adoptHeld(this.#ctx.store, message.changes, this.#ctx.localWrite, this.#ctx.spaces.holds, 'tab', message.space);
    },
    'space-loaded': (message) => {
      const opening = message.to === this.#ctx.id ? this.#opening.get(message.id) : undefined;
      if (!opening) return;
      if (message.error) {
        this.#opening.delete(message.id);
        opening.loaded.reject(fromPlainError(message.error));
      } else opening.loaded.resolve([...message.entities]);
    },
    'space-synced': (message) => {
      const opening = message.to === this.#ctx.id ? this.#opening.get(message.id) : undefined;
      if (!opening) return;
      this.#opening.delete(message.id);
      if (message.error) opening.synced.reject(fromPlainError(message.error));
      else opening.synced.resolve();
    },
    ack: (message) => {
      if (message.to !== this.#ctx.id) return;
      this.#ctx.queue.settle(
        message.batch,
        message.error ? { error: new KalphiteError('db-failed', `The leader tab could not write: ${message.error.message}`) } : { mutationIds: message.mutationIds },
      );
    },
    tabs: (message) => this.#setCount(message.tabs),
    'sync-event': (message) => {
      if (!this.sync) return;
      this.sync.update(message.status, message.event.type === 'outbox:acknowledged' ? message.event : undefined);
      this.#ctx.emit(fromForwarded(message.event));
    },
    'sync-answer': (message) => {
      if (message.to === this.#ctx.id) this.sync?.answer(message.id, message.result, message.error);
    },
  };

  /** Says so (an event) and fails the open instead of waiting for a leader it cannot follow. */
  #incompatible(leaderProtocol: number): void {
    const error = new KalphiteError(
      'incompatible-tab',
      `Another tab runs a release of this app that speaks tab protocol ${leaderProtocol} (this one speaks ${TAB_PROTOCOL}): reload or close the other tabs.`,
    );
    this.#ctx.emit({ type: 'tabs:incompatible', protocol: TAB_PROTOCOL, leaderProtocol, error });
    this.#joining.failed(error);
  }

  #setCount(count: number): void {
    this.#count = count;
    this.#ctx.setTabs('follower', count);
  }
}

const notLeader = () => new KalphiteError('not-leader', 'Only the leader tab holds the local database: ask it there.');

/** A forwarded sync event, as this tab's own (its error a KalphiteError again). */
function fromForwarded(event: ForwardedEvent): Parameters<EmitEvent>[0] {
  return ('error' in event ? { ...event, error: fromPlainError(event.error) } : event) as Parameters<EmitEvent>[0];
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: KalphiteError): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: KalphiteError) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Opening {
  readonly space: string;
  readonly loaded: Deferred<Entity[]>;
  readonly synced: Deferred<void>;
}
