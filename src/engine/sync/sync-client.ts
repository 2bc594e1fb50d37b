import type { KalphiteError } from '../errors.js';
import { AwaitedAcknowledgements } from './awaited-acknowledgements.js';
import { PokeStream } from './poke-stream.js';
import { PullDelegate } from './pull.js';
import { PushDelegate } from './push.js';
import { background, RequestLoop, type LoopDelegate, type SyncErrorInfo } from './request-loop.js';
import { Transport } from './transport.js';
import { verify, type Verification } from './verify.js';
import type { DivergenceReport } from './digest.js';
import { SyncedSpaces } from './synced-spaces.js';
import type { KalphiteSync, SpaceSyncStatus, SyncClientOptions, SyncStatus } from './api.js';

export type { KalphiteSync, SpaceSyncStatus, SyncClientOptions, SyncSettings, SyncStatus } from './api.js';
export type { SyncErrorInfo } from './request-loop.js';
export type { Verification } from './verify.js';
export type { DivergenceReport, DivergentIds, TypeDivergence } from './digest.js';

/**
 * Layer 4: pushes the outbox in mutation-id order (debounced), pulls on an interval and at once
 * on a poke (or lands the change a poke carries, when it follows the space's cookie), rebases pulled server state under local changes the server has not acknowledged.
 * A facade: two request loops (push, pull: `request-loop.ts` with the delegates in `push.ts` and
 * `pull.ts`), one transport and one poke stream, wired together by the push rule below.
 *
 * States (each part keeps its own; the status shows them all):
 *   running   the loops send and the poke stream connects.
 *             → paused on `pause()`, closed on `close()`; requests fail fast under `setOffline(true)`
 *               (the poke stream stops) until `setOffline(false)`, which catches up at once.
 *   paused    no request, timer or poke stream; writes keep reaching the outbox. → running on `resume()`.
 *   closed    for good: timers and the poke stream stopped, the loops left to settle.
 * Within running, the push loop is also stopped by a refusal retrying cannot fix (`status.blocked`)
 * until a new write (`schedulePush`), `retry()` or `dropBlocked()`.
 * Coming online, starting, resuming and `retry()` kick both loops: a pull now, a push if rows wait,
 * backoff forgotten.
 *
 * Spaces: each is its own client group on the wire. The synced spaces (`openSpace`) and closed ones
 * whose writes await acknowledgement are pulled, one request each, and share one poke stream.
 */
export class SyncClient implements KalphiteSync {
  readonly #o: SyncClientOptions;
  readonly #transport: Transport;
  readonly #pushes: PushDelegate;
  readonly #pulls: PullDelegate;
  readonly #pushLoop: RequestLoop;
  readonly #pullLoop: RequestLoop;
  readonly #poke: PokeStream;
  #online: boolean;
  #paused = false;
  #closed = false;
  readonly #stopConnectivity: () => void;
  readonly #spaces: SyncedSpaces;
  /** The spaces the poke stream names now, with their client groups. */
  #pokeSpaces = '';
  /** The client group of each space the stream of the moment was opened with. */
  #streamGroups: ReadonlyMap<string, string> = new Map();
  readonly #acknowledgements: AwaitedAcknowledgements;

  constructor(options: SyncClientOptions) {
    this.#o = options;
    const { outbox, mirror, env, emit, retry } = options;
    this.#online = env.isOnline();
    this.#spaces = new SyncedSpaces(outbox);
    const transport = new Transport({ url: options.url, fetch: options.fetch, headers: options.headers, onReachable: (online) => this.#setOnline(online) });
    this.#transport = transport;
    this.#pushes = new PushDelegate({
      outbox,
      post: (space, body) => transport.post('push', space, body),
      batchSize: options.pushBatchSize,
      maxBytes: options.maxPushBytes,
      onPushed: (space, more, upTo) => {
        // A 200 only says the server received the push. Its acknowledgement comes by the poke of the
        // version it made when the open stream names the space's group (that poke carries the group's
        // news), else by a pull now.
        if (this.#pokeAcknowledges(space)) this.#acknowledgements.expect(space, upTo);
        else this.#pullSpace(space);
        if (more) background(this.push());
      },
      env,
      emit,
    });
    this.#pulls = new PullDelegate({
      outbox,
      mirror,
      post: (space, body) => transport.post('pull', space, body),
      pageSize: options.pullPageSize,
      acknowledgedRowsKept: options.acknowledgedRowsKept,
      intervalMs: options.pullIntervalMs,
      spaces: () => this.#spaces.pullable(),
      forgotten: (space) => this.#spaces.forgotten(space),
      onForbidden: (space, error) => this.#lose(space, error),
      onPulled: (space, acknowledgedUpTo, writable) => {
        this.#acknowledgements.landed(space, acknowledgedUpTo, writable);
        this.#pushes.pulled(space);
        this.#spaces.landed(space);
        // A space's first pull made its client group: the stream names it from now on.
        this.#spacesChanged();
      },
      env,
      emit,
    });
    let requests = 0;
    const loop = (kind: 'push' | 'pull', send: LoopDelegate) =>
      // Whenever either loop's request ends, the push rule is checked again.
      new RequestLoop({ kind, send, halted: () => this.#paused || this.#closed, nextRequestId: () => ++requests, onIdle: () => this.#ensurePush(), retry, env, emit });
    this.#pushLoop = loop('push', this.#pushes.send);
    this.#pullLoop = loop('pull', this.#pulls.send);
    this.#poke = new PokeStream({
      enabled: options.poke,
      connect: (signal) => {
        const spaces = this.#spaces.pullable();
        // Each space's client group, so its pokes carry their change (a space not yet in the local db has none yet).
        const groups = spaces.map((space) => outbox.spaces.get(space)?.clientGroupId ?? '');
        this.#streamGroups = new Map(spaces.map((space, i) => [space, groups[i] as string]));
        return transport.stream('poke', spaces, signal, groups);
      },
      onPoke: (poke, bytes) => {
        if (poke.space !== null && poke.change) this.#pulls.offer(poke.space, poke.version, poke.change, bytes);
        else this.#pulls.ask(poke.space);
        background(this.#pullLoop.run());
      },
      onState: () => this.#emitStatus(),
      retry,
      env,
      emit,
    });
    this.#acknowledgements = new AwaitedAcknowledgements({ graceMs: POKE_ACKNOWLEDGEMENT_GRACE_MS, pull: (space) => this.#pullSpace(space), env });
    this.#stopConnectivity = env.onConnectivityChange((online) => {
      this.#setOnline(online);
      if (online) this.#kick();
    });
  }

  /** Begins syncing (`spaces` too, if named): a pull now, a push if the outbox has rows, and the poke stream. */
  start(spaces: readonly string[] = []): void {
    for (const space of spaces) this.#spaces.add(space);
    this.#pokeSpaces = this.#pokeKey();
    this.#kick();
    this.#connectPoke();
  }

  /** The flusher committed new outbox rows: a new write also ends a stop after a permanent error. */
  schedulePush(): void {
    this.#pushes.wrote();
    this.#pushLoop.resume();
    this.#ensurePush();
  }

  push = (): Promise<void> => this.#pushLoop.run();

  pull = (): Promise<void> => {
    this.#pulls.ask(null);
    return this.#pullLoop.run();
  };

  /**
   * Syncs `space` from now on; resolves once a pull of it has landed, or at once when it cannot be
   * pulled now (offline, paused). Rejects with `forbidden` when the server says the caller may not
   * read it, or with a refusal retrying cannot fix.
   */
  openSpace(space: string): Promise<void> {
    this.#spaces.add(space);
    this.#spacesChanged();
    if (this.#paused || this.#closed || this.#transport.offline || !this.#online) return Promise.resolve();
    const landed = this.#spaces.wait(space);
    this.#pulls.ask(space);
    this.#pullLoop.run().catch((error: unknown) => this.#spaces.pullFailed(error));
    return landed;
  }

  /** Stops syncing `space` once its writes are acknowledged; `forget`: its values are written nowhere meanwhile. */
  closeSpace(space: string, forget: boolean): void {
    this.#spaces.remove(space, forget);
    this.#spacesChanged();
  }

  /** The poke stream names its spaces and their groups: a new set is a new stream. */
  #spacesChanged(): void {
    const key = this.#pokeKey();
    if (key === this.#pokeSpaces) return;
    this.#pokeSpaces = key;
    if (this.#poke.state === 'off' || this.#paused || this.#closed || this.#transport.offline) return;
    this.#poke.stop();
    this.#connectPoke();
  }

  /** Read access to `space` was lost: the local db drops it, its unpushed writes are reported refused, memory lets go. */
  async #lose(space: string, error: KalphiteError): Promise<void> {
    this.#spaces.lose(space, error);
    const dropped = await this.#o.outbox.dropSpace(space);
    for (const entry of dropped) {
      this.#o.emit({ type: 'sync:refused', space, clientId: entry.clientId, mutationId: entry.mutationId, reason: `Read access to space ${space} was lost; this write was given up.` });
    }
    this.#o.emit({ type: 'space:lost', space, droppedWrites: dropped.length, error });
    this.#o.onSpaceLost(space, error, dropped.length);
    this.#spacesChanged();
  }

  retry = (): void => {
    this.#pushLoop.resume();
    this.#kick();
    // A poke stream that gave up (403, 404) tries again too.
    this.#connectPoke();
  };

  dropBlocked = async (): Promise<number> => {
    const blocked = this.#pushLoop.stopped;
    const space = this.#pushes.lastSpace;
    if (blocked === null || space === null) return 0;
    const dropped = await this.#o.outbox.discardUnacknowledged(space, blocked.count);
    this.#pushes.forget();
    this.#pushLoop.resume();
    background(this.push());
    return dropped;
  };

  /**
   * The push rule: while the outbox holds rows, a push is in flight or scheduled — within
   * `pushDelayMs` after a success, within the backoff after a failure (its timer is already set) —
   * unless a permanent error stopped pushing, or every row was delivered and awaits its
   * acknowledgement (a pull or poke that lands, or a new write, asks again). A pull in flight will
   * check again when it ends (it may acknowledge the rows), so a push just sent is not sent twice.
   */
  #ensurePush(): void {
    const push = this.#pushLoop;
    if (push.stopped !== null || push.scheduled || push.busy || this.#pullLoop.busy || this.#o.outbox.outboxLength === 0 || this.#pushes.allDelivered) return;
    push.schedule(this.#o.pushDelayMs);
  }

  pause = (): void => {
    if (this.#paused) return;
    this.#paused = true;
    this.#stopAll();
    this.#emitStatus();
  };

  resume = (): void => {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    this.#emitStatus();
    this.start();
  };

  setOffline = (offline: boolean): void => {
    if (this.#transport.offline === offline || this.#closed) return;
    this.#transport.setOffline(offline);
    if (offline) {
      this.#poke.stop();
      this.#setOnline(false);
      return;
    }
    // Still offline until the next answer says otherwise.
    this.#emitStatus();
    this.start();
  };

  /** Resolves once no push or pull is in flight or queued. */
  settled(): Promise<void> {
    return Promise.all([this.#pushLoop.settled(), this.#pullLoop.settled()]).then(() => {});
  }

  /** After the local db was reset: nothing has been acknowledged for the new client yet. */
  forgetAcknowledged(): void {
    this.#acknowledgements.cancel();
    this.#pulls.forgetAcknowledged();
    this.#pushes.forget();
    this.#pushLoop.forget();
    this.#pullLoop.forget();
  }

  verify = (space: string = this.#o.defaultSpace): Promise<Verification> =>
    verify({ space, outbox: this.#o.outbox, mirror: this.#o.mirror, pageSize: this.#o.pullPageSize, post: (body) => this.#transport.post('pull', space, body) });

  // Loaded on first use: its hashing is the devtools' concern, not every app's bundle.
  checkDivergence = async (space: string = this.#o.defaultSpace, type?: string): Promise<DivergenceReport> =>
    (await import('./digest.js')).checkDivergence({ space, type, outbox: this.#o.outbox, mirror: this.#o.mirror, post: (body) => this.#transport.post('digest', space, body) });

  get status(): SyncStatus {
    const { outbox } = this.#o;
    const blocked = this.#pushLoop.stopped;
    return {
      online: this.#online,
      paused: this.#paused,
      simulatedOffline: this.#transport.offline,
      pushing: this.#pushLoop.busy,
      pulling: this.#pullLoop.busy,
      poke: this.#poke.state,
      clientId: outbox.clientId,
      profileId: outbox.profileId,
      unacknowledged: outbox.outboxLength,
      spaces: this.#spaceStatuses(),
      lastPushAt: this.#pushes.lastPushAt,
      lastPullAt: this.#pulls.lastPullAt,
      nextPullAt: this.#pullLoop.dueAt,
      lastError: newest(this.#pushLoop.error, this.#pullLoop.error),
      blocked: blocked && { code: blocked.code, message: blocked.message, at: blocked.at, space: this.#pushes.lastSpace ?? this.#o.defaultSpace, status: blocked.status, mutations: blocked.count },
    };
  }

  #spaceStatuses(): SpaceSyncStatus[] {
    const pullable = new Set(this.#spaces.pullable());
    return [...this.#o.outbox.spaces.values()].map((local) => {
      const pulled = this.#pulls.state(local.space);
      return {
        space: local.space,
        syncing: pullable.has(local.space),
        clientGroupId: local.clientGroupId,
        cookie: local.cookie,
        writable: local.writable,
        unacknowledged: this.#o.outbox.unacknowledgedIn(local.space),
        acknowledgedMutationId: pulled.acknowledged,
        lastPullAt: pulled.lastPullAt,
        lastRefusal: pulled.lastRefusal,
      };
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopAll();
    this.#stopConnectivity();
    await this.settled();
  }

  /** Push and pull now, forgetting backoff (after coming online, resuming, starting or `retry()`). */
  #kick(): void {
    if (this.#paused || this.#closed) return;
    // A pull always goes (a refused one may work now); a push only if rows wait and nothing stopped it.
    this.#pullLoop.retry();
    this.#pushLoop.kick(this.#o.outbox.outboxLength > 0);
  }

  /** Pulls `space` now (or right after the pull in flight). */
  #pullSpace(space: string): void {
    this.#pulls.ask(space);
    background(this.#pullLoop.run());
  }

  /** The open poke stream was opened naming `space` with its client group: its pokes carry this group's acknowledgements. */
  #pokeAcknowledges(space: string): boolean {
    const group = this.#o.outbox.spaces.get(space)?.clientGroupId;
    return this.#poke.state === 'open' && group !== undefined && group !== '' && this.#streamGroups.get(space) === group;
  }

  #pokeKey(): string {
    return this.#spaces
      .pullable()
      .map((space) => `${space}\n${this.#o.outbox.spaces.get(space)?.clientGroupId ?? ''}`)
      .join('\n');
  }

  #connectPoke(): void {
    // Nothing to hear of: a stream naming no space would be the default space's.
    if (!this.#paused && !this.#closed && !this.#transport.offline && this.#pokeSpaces !== '') this.#poke.start();
  }

  #stopAll(): void {
    this.#acknowledgements.cancel();
    this.#pushLoop.cancel();
    this.#pullLoop.cancel();
    this.#poke.stop();
  }

  #setOnline(online: boolean): void {
    if (this.#online === online) return;
    this.#online = online;
    this.#emitStatus();
  }

  #emitStatus(): void {
    this.#o.emit({ type: 'sync:status', online: this.#online, paused: this.#paused, poke: this.#poke.state });
  }
}

/**
 * How long a push's own poke may take to land its acknowledgement before a pull fetches it: a poke
 * follows its push's answer within milliseconds, so this only delays the acknowledgement of a push
 * whose poke was lost (or that made no version).
 */
const POKE_ACKNOWLEDGEMENT_GRACE_MS = 500;

function newest(a: SyncErrorInfo | null, b: SyncErrorInfo | null): SyncErrorInfo | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.at >= b.at ? a : b;
}
