import { KalphiteError } from '../errors.js';
import type { Environment } from '../environment.js';
import type { EmitEvent } from '../events.js';
import type { PokeChange } from '../../protocol/poke.js';
import { refusalKey, type LocalSpace } from '../persist/local-db.js';
import type { Mirror, Outbox } from './ports.js';
import { pokePages, pullPages, type PulledPages } from './pull-pages.js';
import type { LoopTurn } from './request-loop.js';
import { SyncHttpError } from './transport.js';
import { localClientId, localClients } from './wire-clients.js';

export interface PullDelegateOptions {
  readonly outbox: Outbox;
  readonly mirror: Mirror;
  readonly post: (space: string, body: string) => Promise<string>;
  readonly pageSize: number;
  /** Acknowledged outbox rows kept after a pull compacts (the change log shows them). */
  readonly acknowledgedRowsKept: number;
  /** The next pull after one that worked. */
  readonly intervalMs: number;
  /** The spaces to pull: the open ones, and closed ones whose writes await acknowledgement. */
  readonly spaces: () => readonly string[];
  /** Closed with `forget`: pulled only for its acknowledgements, its values written nowhere. */
  readonly forgotten: (space: string) => boolean;
  /** The server answered 403: the caller may not read `space` (any more). */
  readonly onForbidden: (space: string, error: KalphiteError) => Promise<void>;
  /**
   * A space's pull or poke landed (whether memory holds it or not), acknowledging `acknowledgedUpTo`
   * (every client of the group, local ids; null: none) and saying `writable` (undefined: not said).
   */
  readonly onPulled: (space: string, acknowledgedUpTo: Readonly<Record<string, number>> | null, writable: boolean | undefined) => void;
  readonly env: Environment;
  readonly emit: EmitEvent;
}

/** Per space, what the status shows: this client's newest acknowledged mutation id and the last refusal. */
export interface SpacePullState {
  readonly acknowledged: number;
  readonly lastPullAt: number | null;
  readonly lastRefusal: { readonly mutationId: number; readonly reason: string; readonly at: number } | null;
}

const NEVER_PULLED: SpacePullState = { acknowledged: 0, lastPullAt: null, lastRefusal: null };

/** A poke's change waiting for the pull loop's next turn. */
interface OfferedPoke {
  readonly version: number;
  readonly change: PokeChange;
  readonly bytes: number;
}

/** What one landing did. */
interface Landed {
  readonly applied: number;
  readonly skipped: number;
  /** This client's newest acknowledged mutation id, if the landing named it. */
  readonly acknowledgedUpTo: number | null;
  /** Every client of the group it acknowledged (local ids); null: none. */
  readonly acknowledgedByClient: Readonly<Record<string, number>> | null;
  readonly writable: boolean | undefined;
}

/** Pokes kept per space until a turn lands them: a client this far behind pulls instead. */
const POKES_KEPT = 64;

/**
 * What one pull turn is, for the pull loop: for each space asked for (a poke names one; the
 * interval and `pull()` ask for all), every page from that space's cookie, then one local-db
 * transaction that acknowledges its outbox rows and applies the server's values under the rows
 * still unacknowledged (rebase), then memory adopts what landed if the space is open. Spaces are
 * pulled one after another; each is its own request. Resolves with the interval.
 *
 * A poke that carries its change (`offer`) is landed by the same turn, through the same
 * transaction, instead of a pull — when the space's cookie is the poke's previous version, the
 * change is for the space's client group, and nothing asked for a pull of it; otherwise the space
 * is pulled. Being a turn of the pull loop, it never lands beside a pull of the space in flight.
 */
export class PullDelegate {
  readonly #o: PullDelegateOptions;
  readonly #states = new Map<string, SpacePullState>();
  /** Spaces asked for since the last turn began; `#all`: every space. */
  readonly #asked = new Set<string>();
  #all = false;
  /** Poke changes offered since the last turn began, per space, in the order they came. */
  readonly #pokes = new Map<string, OfferedPoke[]>();
  #lastPullAt: number | null = null;

  constructor(options: PullDelegateOptions) {
    this.#o = options;
  }

  /** The next turn pulls `space` (null: every space). A turn nobody asked for (the interval) pulls every space. */
  ask(space: string | null): void {
    if (space === null) this.#all = true;
    else this.#asked.add(space);
  }

  /** The next turn lands this change of `space` if it follows the space's cookie, else pulls the space. */
  offer(space: string, version: number, change: PokeChange, bytes: number): void {
    const offered = this.#pokes.get(space) ?? [];
    offered.push({ version, change, bytes });
    if (offered.length > POKES_KEPT) offered.shift();
    this.#pokes.set(space, offered);
  }

  state(space: string): SpacePullState {
    return this.#states.get(space) ?? NEVER_PULLED;
  }

  get lastPullAt(): number | null {
    return this.#lastPullAt;
  }

  /** After the local db was reset: nothing has been acknowledged for the new client yet. */
  forgetAcknowledged(): void {
    this.#states.clear();
  }

  send = async (turn: LoopTurn): Promise<number> => {
    const pullable = this.#o.spaces();
    const pokes = new Map(this.#pokes);
    const everything = this.#all || (this.#asked.size === 0 && pokes.size === 0);
    const asked = new Set(this.#asked);
    const targets = everything ? pullable : pullable.filter((space) => asked.has(space) || pokes.has(space));
    // Asked for during this turn: the next turn's business.
    this.#all = false;
    this.#asked.clear();
    this.#pokes.clear();
    // One space failing (its database down) does not keep the others from being pulled.
    let failure: { readonly error: unknown } | null = null;
    for (const space of targets) {
      try {
        const local = await this.#o.outbox.ensureSpace(space);
        const landed = !everything && !asked.has(space) && (await this.#landPokes(turn, local, pokes.get(space) ?? []));
        if (!landed) await this.#pull(turn, local);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
    return this.#o.intervalMs;
  };

  /**
   * Lands the offered changes that follow the space's cookie one after another; false (pull the
   * space) at the first that does not, or when there are none. One already below the cookie is skipped.
   */
  async #landPokes(turn: LoopTurn, local: LocalSpace, offered: readonly OfferedPoke[]): Promise<boolean> {
    if (offered.length === 0 || this.#o.forgotten(local.space)) return false;
    let cookie = local.cookie;
    for (const { version, change, bytes } of offered) {
      if (typeof cookie === 'number' && version <= cookie) continue;
      if (cookie !== change.previous || change.clientGroupID !== local.clientGroupId) return false;
      const startedAt = this.#o.env.now();
      const landed = await this.#land(turn, local, pokePages(local.space, version, change, bytes));
      this.#o.emit({
        type: 'sync:poke-applied',
        space: local.space,
        cookieBefore: change.previous,
        cookie: version,
        bytes,
        patchSize: change.patch.length,
        applied: landed.applied,
        skipped: landed.skipped,
        acknowledgedUpTo: landed.acknowledgedUpTo,
        durationMs: this.#o.env.now() - startedAt,
      });
      this.#o.onPulled(local.space, landed.acknowledgedByClient, landed.writable);
      cookie = version;
    }
    return true;
  }

  async #pull(turn: LoopTurn, local: LocalSpace): Promise<void> {
    const { outbox, env, emit } = this.#o;
    const { space } = local;
    const { requestId, startedAt } = turn.begin();
    const cookieBefore = local.cookie;
    const forgotten = this.#o.forgotten(space);
    emit({ type: 'sync:pull-started', space, requestId, cookie: cookieBefore });
    let pulled: PulledPages;
    try {
      pulled = await pullPages({
        space,
        clientGroupID: local.clientGroupId,
        profileID: outbox.profileId,
        schemaVersion: String(outbox.appSchemaVersion),
        cookie: cookieBefore,
        limit: this.#o.pageSize,
        post: (body) => this.#o.post(space, body),
        // Only a first load is news worth a progress bar.
        ...(cookieBefore === null && !forgotten && { onPage: (progress) => emit({ type: 'space:progress', space, ...progress }) }),
      });
    } catch (error) {
      // Only the space's own answer closes it: a 403 for another reason (a permission hook that
      // failed, a client group that is not this user's) keeps the space and its writes.
      if (error instanceof SyncHttpError && error.status === 403 && error.denied === 'read') {
        turn.succeeded();
        await this.#o.onForbidden(space, new KalphiteError('forbidden', `You may not read space ${space}: ${error.message}`, { cause: error }));
        return;
      }
      throw error;
    }
    const landed = await this.#land(turn, local, pulled);
    emit({
      type: 'sync:pull-succeeded',
      space,
      requestId,
      durationMs: env.now() - startedAt,
      bytes: pulled.bytes,
      cookieBefore,
      cookie: pulled.cookie,
      patchSize: pulled.patchSize,
      applied: landed.applied,
      skipped: landed.skipped,
      acknowledgedUpTo: landed.acknowledgedUpTo,
      more: false,
    });
    this.#o.onPulled(space, landed.acknowledgedByClient, landed.writable);
  }

  /**
   * One pull's answer (or a poke's change, as that answer) into the local db in one transaction,
   * then memory, the space's state and its events: acknowledgements, refusals, the overwritten
   * ledger, values a schema holds aside.
   */
  async #land(turn: LoopTurn, local: LocalSpace, pulled: PulledPages): Promise<Landed> {
    const { outbox, mirror, env, emit } = this.#o;
    const { space } = local;
    const { cookie } = pulled;
    // The server names clients by their wire ids: this generation's are this database's clients.
    const acknowledgedUpTo = pulled.acknowledgedUpTo && localClients(pulled.acknowledgedUpTo, local.generation);
    const refused = pulled.refused.map((r) => ({ ...r, clientID: localClientId(r.clientID, local.generation) }));
    // Asked again: closed with `forget` while the pull was out, its values must not come back.
    const forgottenNow = this.#o.forgotten(space);
    const result = await outbox.applyPull({
      space,
      acknowledgeUpTo: acknowledgedUpTo,
      // A forgotten space is pulled for its acknowledgements only: its local copy stays gone.
      writes: forgottenNow ? new Map() : pulled.writes,
      keep: forgottenNow ? null : pulled.keep,
      cookie: forgottenNow ? undefined : cookie,
      // A local write of the id in another space (held aside here) does not hold this space's value back.
      pendingInMemory: (id) => mirror.isPending(id) && (mirror.get(id)?.space ?? space) === space,
      ...(pulled.writable !== undefined && { writable: pulled.writable }),
      refused: refused.map((r) => ({ clientId: r.clientID, mutationId: r.id, reason: r.reason })),
      overwrittenBy: pulled.overwritten.map((o) => ({ clientId: localClientId(o.clientID, local.generation), mutationId: o.id, key: o.key, fields: o.fields })),
    });
    // A local write may have landed while the transaction ran: the adopt rule keeps it (it will be pushed).
    const applied = mirror.adopt(space, result.applied);
    const news = refused.filter((r) => result.newlyRefused.has(refusalKey(r.clientID, r.id)));
    const before = this.state(space);
    // Every client of the group is acknowledged (tabs sharing this database); this one's id is ours.
    const own = acknowledgedUpTo?.[outbox.clientId];
    const now = env.now();
    const refusal = news.findLast((r) => r.clientID === outbox.clientId);
    this.#states.set(space, {
      acknowledged: Math.max(before.acknowledged, own ?? 0),
      lastPullAt: now,
      lastRefusal: refusal ? { mutationId: refusal.id, reason: refusal.reason, at: now } : before.lastRefusal,
    });
    if (acknowledgedUpTo !== null) await outbox.compact(this.#o.acknowledgedRowsKept);
    turn.succeeded();
    this.#lastPullAt = now;
    for (const r of news) emit({ type: 'sync:refused', space, clientId: r.clientID, mutationId: r.id, reason: r.reason });
    for (const write of result.overwritten) emit({ type: 'sync:overwritten', write });
    for (const held of result.heldAside) emit({ type: 'schema:held-aside', space, id: held.id, entityType: held.type, issues: held.issues, source: 'pull' });
    for (const id of result.released) emit({ type: 'schema:released', space, id, reason: 'superseded' });
    if (pulled.writable !== undefined && pulled.writable !== local.writable) emit({ type: 'space:writable', space, writable: pulled.writable });
    return { applied, skipped: result.skipped.size, acknowledgedUpTo: own ?? null, acknowledgedByClient: acknowledgedUpTo, writable: pulled.writable };
  }
}
