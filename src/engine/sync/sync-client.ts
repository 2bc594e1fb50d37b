import { entityProblem, type Entity } from '../../protocol/entity.js';
import { ProtocolError } from '../../protocol/errors.js';
import { jsonEqual, utf8Length } from '../../protocol/json.js';
import { parsePullResponse, PULL_VERSION, type Cookie, type Refusal } from '../../protocol/pull.js';
import { PUSH_VERSION, type Mutation } from '../../protocol/push.js';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import type { Environment, TimerHandle } from '../environment.js';
import { KalphiteError, toKalphiteError } from '../errors.js';
import type { EmitEvent, PokeState } from '../events.js';
import type { OutboxEntry } from '../persist/local-db.js';
import { LATEST_SCHEMA_VERSION } from '../persist/migrations.js';
import { SingleFlight } from '../single-flight.js';
import type { Mirror, Outbox } from './ports.js';

export interface SyncClientOptions {
  /** Base URL of the sync routes, e.g. `https://example.com/api/sync`. */
  readonly url: string;
  readonly pushDelayMs: number;
  readonly pullIntervalMs: number;
  readonly pullPageSize: number;
  readonly pushBatchSize: number;
  /** The largest push body; lowered when the server answers 413 with its own limit. */
  readonly maxPushBytes: number;
  readonly poke: boolean;
  readonly retry: BackoffOptions;
  readonly fetch: typeof fetch;
  /** Extra request headers (auth), asked for before every request. */
  readonly headers: () => Record<string, string> | Promise<Record<string, string>>;
  readonly outbox: Outbox;
  readonly mirror: Mirror;
  readonly env: Environment;
  readonly emit: EmitEvent;
}

export interface SyncStatus {
  readonly online: boolean;
  readonly paused: boolean;
  /** `setOffline(true)` is in force. */
  readonly simulatedOffline: boolean;
  readonly pushing: boolean;
  readonly pulling: boolean;
  readonly poke: PokeState;
  readonly clientID: string;
  readonly clientGroupID: string;
  readonly cookie: Cookie;
  /** The newest mutation id the server has acknowledged. */
  readonly lastMutationID: number;
  /** Outbox rows the server has not acknowledged yet. */
  readonly unacknowledged: number;
  readonly lastPushAt: number | null;
  readonly lastPullAt: number | null;
  readonly nextPullAt: number | null;
  /** The newest failure of a request kind that has not succeeded since; null once both push and pull work. */
  readonly lastError: SyncErrorInfo | null;
  /**
   * A push the server refused in a way retrying cannot fix (400, 403, 404, 409, 415, or 413 for a
   * single mutation): pushing has stopped until the next write, `retry()` or a reload. The outbox
   * keeps the rows; `dropBlocked()` gives them up.
   */
  readonly blocked: (SyncErrorInfo & { readonly status: number | null; readonly mutations: number }) | null;
}

export interface SyncErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

/** The public face of layer 4, as `instance.sync`. */
export interface KalphiteSync {
  /** Pushes the outbox now; rejects if the request fails (it is retried in the background too). */
  push(): Promise<void>;
  /** Pulls now; rejects if the request fails. */
  pull(): Promise<void>;
  /** Tries again at once, forgetting backoff and a permanent error (the devtools' "re-send"). */
  retry(): void;
  /**
   * Gives up the writes of a push stopped by a permanent error (the devtools' "drop"): they are sent
   * as discards, which the server acknowledges without applying, so the server's values come back
   * and mutation ids stay gap-free. Resolves to how many were dropped (0 when nothing is blocked).
   */
  dropBlocked(): Promise<number>;
  /** Stops every request, timer and the poke stream; writes keep going to the local db. */
  pause(): void;
  resume(): void;
  /**
   * Simulates a lost network (devtools, tests): every request fails as unreachable and is retried
   * with backoff, as in a real outage, until `setOffline(false)` reconnects at once.
   */
  setOffline(offline: boolean): void;
  /** Reads the server's whole state (without applying it) and compares it with memory. */
  verify(): Promise<Verification>;
  readonly status: SyncStatus;
}

/** Whether memory equals the server, leaving out entities with local writes still on their way. */
export interface Verification {
  readonly matches: boolean;
  readonly serverEntities: number;
  readonly missingLocally: readonly string[];
  readonly missingOnServer: readonly string[];
  readonly different: readonly string[];
  /** Entities skipped because they have writes the server has not acknowledged yet. */
  readonly pending: number;
}

const ACKNOWLEDGED_ROWS_KEPT = 1000;

/**
 * Layer 4: pushes the outbox in mutation-id order (debounced), pulls on an interval and at once
 * on a poke, rebases pulled server state under local changes the server has not acknowledged.
 * Never two pushes or two pulls in flight; failures back off with jitter and are retried.
 */
export class SyncClient implements KalphiteSync {
  readonly #o: SyncClientOptions;
  readonly #pushFlight: SingleFlight;
  readonly #pullFlight: SingleFlight;
  #pushTimer: TimerHandle | null = null;
  #pullTimer: TimerHandle | null = null;
  #nextPullAt: number | null = null;
  #pushFailures = 0;
  #pullFailures = 0;
  #pushBlocked: SyncStatus['blocked'] = null;
  #maxPushBytes: number;
  /** Each kind's failure until a request of that kind succeeds. */
  readonly #errors: { push: SyncErrorInfo | null; pull: SyncErrorInfo | null } = { push: null, pull: null };
  #requestSeq = 0;
  #online: boolean;
  #paused = false;
  #simulatedOffline = false;
  #closed = false;
  #poke: PokeState;
  #pokeAbort: AbortController | null = null;
  #lastPushAt: number | null = null;
  #lastPullAt: number | null = null;
  #lastAcknowledged = 0;
  readonly #stopConnectivity: () => void;

  constructor(options: SyncClientOptions) {
    this.#o = options;
    this.#online = options.env.isOnline();
    this.#poke = options.poke ? 'closed' : 'off';
    this.#maxPushBytes = options.maxPushBytes;
    // Whenever either request ends, the push rule is checked again.
    this.#pushFlight = new SingleFlight(() => this.#push(), () => this.#ensurePush());
    this.#pullFlight = new SingleFlight(() => this.#pull(), () => this.#ensurePush());
    this.#stopConnectivity = options.env.onConnectivityChange((online) => {
      this.#setOnline(online);
      if (online) this.#kick();
    });
  }

  /** Begins syncing: a pull now, a push if the outbox has rows, and the poke stream. */
  start(): void {
    this.#kick();
    this.#connectPoke();
  }

  /** The flusher committed new outbox rows: a new write also ends a stop after a permanent error. */
  schedulePush(): void {
    this.#pushBlocked = null;
    this.#ensurePush();
  }

  push = (): Promise<void> => this.#pushFlight.run();
  pull = (): Promise<void> => this.#pullFlight.run();

  retry = (): void => {
    this.#pushBlocked = null;
    this.#kick();
  };

  dropBlocked = async (): Promise<number> => {
    const blocked = this.#pushBlocked;
    if (blocked === null) return 0;
    const dropped = await this.#o.outbox.discardUnacknowledged(blocked.mutations);
    this.#pushBlocked = null;
    this.#background(this.push());
    return dropped;
  };

  /**
   * The push rule: while the outbox holds rows, a push is in flight or scheduled — within
   * `pushDelayMs` after a success, within the backoff after a failure (its timer is already set) —
   * unless a permanent error stopped pushing. A pull in flight will check again when it ends (it
   * may acknowledge the rows), so a push just sent is not sent twice.
   */
  #ensurePush(): void {
    if (this.#paused || this.#closed || this.#pushBlocked !== null || this.#pushTimer !== null) return;
    if (this.#pushFlight.busy || this.#pullFlight.busy || this.#o.outbox.outboxLength === 0) return;
    this.#setPushTimer(this.#o.pushDelayMs);
  }

  pause = (): void => {
    if (this.#paused) return;
    this.#paused = true;
    this.#clearTimers();
    this.#disconnectPoke();
    this.#emitStatus();
  };

  resume = (): void => {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    this.#emitStatus();
    this.#kick();
    this.#connectPoke();
  };

  setOffline = (offline: boolean): void => {
    if (this.#simulatedOffline === offline || this.#closed) return;
    this.#simulatedOffline = offline;
    if (offline) {
      this.#disconnectPoke();
      this.#setOnline(false);
      return;
    }
    this.#emitStatus();
    this.#kick();
    this.#connectPoke();
  };

  /** Resolves once no push or pull is in flight or queued. */
  settled(): Promise<void> {
    return Promise.all([this.#pushFlight.settled(), this.#pullFlight.settled()]).then(() => {});
  }

  /** After the local db was reset: nothing has been acknowledged for the new client yet. */
  forgetAcknowledged(): void {
    this.#lastAcknowledged = 0;
    this.#errors.push = null;
    this.#errors.pull = null;
    this.#pushBlocked = null;
  }

  verify = async (): Promise<Verification> => {
    const { outbox, mirror } = this.#o;
    const server = new Map<string, unknown>();
    let cookie: Cookie = null;
    for (let more = true, pages = 0; more && pages < 10_000; pages++) {
      const text = await this.#request(
        'pull',
        // A client group of its own, so this read never changes what the real client is told.
        JSON.stringify({ pullVersion: PULL_VERSION, clientGroupID: `${outbox.clientGroupId}:verify`, profileID: outbox.clientGroupId, schemaVersion: String(LATEST_SCHEMA_VERSION), cookie, limit: this.#o.pullPageSize }),
      );
      const response = parsePullResponse(parseJson(text));
      if ('error' in response) throw new KalphiteError('protocol', `The server answered ${response.error}.`);
      for (const op of response.patch) {
        if (op.op === 'put') server.set(op.key, op.value);
        else if (op.op === 'del') server.delete(op.key);
      }
      cookie = response.cookie;
      more = response.more === true;
    }
    const unacknowledged = new Set((await outbox.unsyncedChanges(1_000_000)).map((entry) => entry.entityId));
    const isPending = (id: string) => unacknowledged.has(id) || mirror.isPending(id);
    const missingLocally: string[] = [];
    const missingOnServer: string[] = [];
    const different: string[] = [];
    let pending = 0;
    for (const [id, value] of server) {
      if (isPending(id)) pending++;
      else if (mirror.get(id) === undefined) missingLocally.push(id);
      else if (!jsonEqual(mirror.get(id), value)) different.push(id);
    }
    for (const id of mirror.ids()) {
      if (server.has(id)) continue;
      if (isPending(id)) pending++;
      else missingOnServer.push(id);
    }
    return {
      matches: missingLocally.length + missingOnServer.length + different.length === 0,
      serverEntities: server.size,
      missingLocally,
      missingOnServer,
      different,
      pending,
    };
  };

  get status(): SyncStatus {
    return {
      online: this.#online,
      paused: this.#paused,
      simulatedOffline: this.#simulatedOffline,
      pushing: this.#pushFlight.busy,
      pulling: this.#pullFlight.busy,
      poke: this.#poke,
      clientID: this.#o.outbox.clientId,
      clientGroupID: this.#o.outbox.clientGroupId,
      cookie: this.#o.outbox.cookie,
      lastMutationID: this.#lastAcknowledged,
      unacknowledged: this.#o.outbox.outboxLength,
      lastPushAt: this.#lastPushAt,
      lastPullAt: this.#lastPullAt,
      nextPullAt: this.#nextPullAt,
      lastError: newest(this.#errors.push, this.#errors.pull),
      blocked: this.#pushBlocked,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimers();
    this.#disconnectPoke();
    this.#stopConnectivity();
    await this.settled();
  }

  /** Push and pull now, forgetting backoff (after coming online, resuming or starting). */
  #kick(): void {
    if (this.#paused || this.#closed) return;
    this.#pushFailures = 0;
    this.#pullFailures = 0;
    this.#background(this.pull());
    if (this.#o.outbox.outboxLength > 0 && this.#pushBlocked === null) this.#background(this.push());
  }

  async #push(): Promise<void> {
    if (this.#paused || this.#closed) return;
    this.#clearTimer('push');
    const { outbox, env, emit } = this.#o;
    const entries = await outbox.unsyncedChanges(this.#o.pushBatchSize);
    if (entries.length === 0) {
      // Nothing left to push (a pull acknowledged it): whatever failed before is over.
      this.#pushFailures = 0;
      this.#errors.push = null;
      return;
    }
    const { body, bytes, count } = this.#pushBody(entries);
    const requestId = ++this.#requestSeq;
    const first = entries[0]!.mutationId;
    const last = entries[count - 1]!.mutationId;
    emit({ type: 'sync:push-started', requestId, mutations: count, bytes, firstMutationId: first, lastMutationId: last });
    const startedAt = env.now();
    try {
      await this.#request('push', body);
    } catch (cause) {
      const error = syncError(cause);
      const status = httpStatus(error);
      if (status === 413 && count > 1) {
        // Too large for this server: take its limit (or half this body) and send fewer at once.
        this.#maxPushBytes = Math.min(this.#maxPushBytes, bodyLimit(error) ?? Math.floor(bytes / 2));
        this.#setPushTimer(0);
        this.#reportFailure('push', requestId, startedAt, error, this.#pushFailures + 1, 0);
      } else if (status !== null && isPermanent(status)) {
        this.#pushFailures = 0;
        this.#pushBlocked = { code: error.code, message: error.message, at: env.now(), status, mutations: count };
        this.#reportFailure('push', requestId, startedAt, error, 1, null);
      } else {
        this.#pushFailures++;
        const retryInMs = this.#retryLater('push', this.#pushFailures);
        this.#reportFailure('push', requestId, startedAt, error, this.#pushFailures, retryInMs);
      }
      throw error;
    }
    this.#pushFailures = 0;
    this.#errors.push = null;
    this.#lastPushAt = env.now();
    emit({ type: 'sync:push-succeeded', requestId, mutations: count, bytes, durationMs: env.now() - startedAt, lastMutationId: last });
    // Acknowledgements arrive by pull (a 200 only says the server received the push).
    this.#background(this.pull());
    if (count < entries.length || entries.length === this.#o.pushBatchSize) this.#background(this.push());
  }

  /** As many outbox rows as fit in `maxPushBytes` (always at least one), as a push request body. */
  #pushBody(entries: readonly OutboxEntry[]): { body: string; bytes: number; count: number } {
    const { outbox } = this.#o;
    const head = `{"pushVersion":${PUSH_VERSION},"clientGroupID":${JSON.stringify(outbox.clientGroupId)},"profileID":${JSON.stringify(outbox.clientGroupId)},"schemaVersion":"${LATEST_SCHEMA_VERSION}","mutations":[`;
    let body = head;
    let bytes = utf8Length(head) + 2;
    let count = 0;
    for (const entry of entries) {
      const mutation = JSON.stringify(toMutation(entry));
      const size = utf8Length(mutation) + (count > 0 ? 1 : 0);
      if (count > 0 && bytes + size > this.#maxPushBytes) break;
      body += count > 0 ? `,${mutation}` : mutation;
      bytes += size;
      count++;
    }
    return { body: `${body}]}`, bytes, count };
  }

  async #pull(): Promise<void> {
    if (this.#paused || this.#closed) return;
    this.#clearTimer('pull');
    const { outbox, env, emit, mirror } = this.#o;
    const requestId = ++this.#requestSeq;
    const cookieBefore = outbox.cookie;
    emit({ type: 'sync:pull-started', requestId, cookie: cookieBefore });
    const startedAt = env.now();
    let bytes = 0;
    let patchSize = 0;
    let pages = 0;
    const writes = new Map<string, Entity | undefined>();
    let keep: Set<string> | null = null;
    let cookie: Cookie = cookieBefore;
    let acknowledgedUpTo: Readonly<Record<string, number>> | null = null;
    let refused: readonly Refusal[] = [];
    try {
      for (let more = true; more; ) {
        if (++pages > 10_000) throw new KalphiteError('protocol', 'The server kept sending more pages.');
        const text = await this.#request(
          'pull',
          JSON.stringify({ pullVersion: PULL_VERSION, clientGroupID: outbox.clientGroupId, profileID: outbox.clientGroupId, schemaVersion: String(LATEST_SCHEMA_VERSION), cookie, limit: this.#o.pullPageSize }),
        );
        bytes += text.length;
        const response = parsePullResponse(parseJson(text));
        if ('error' in response) {
          if (response.error === 'ClientStateNotFound' && cookie !== null) {
            cookie = null;
            writes.clear();
            keep = null;
            continue;
          }
          throw new KalphiteError('protocol', `The server answered ${response.error}.`);
        }
        for (const op of response.patch) {
          patchSize++;
          if (op.op === 'clear') {
            keep = new Set();
            writes.clear();
          } else if (op.op === 'del') {
            writes.set(op.key, undefined);
            keep?.delete(op.key);
          } else {
            const problem = entityProblem(op.key, op.value);
            if (problem) throw new KalphiteError('protocol', `The server sent a bad entity for "${op.key}": ${problem.message}`);
            writes.set(op.key, op.value as unknown as Entity);
            keep?.add(op.key);
          }
        }
        cookie = response.cookie;
        more = response.more === true;
        // Every client of the group: tabs that share this database are acknowledged here too.
        if (!more && Object.keys(response.lastMutationIDChanges).length > 0) acknowledgedUpTo = response.lastMutationIDChanges;
        if (!more) refused = response.refused ?? [];
      }
    } catch (cause) {
      const error = syncError(cause);
      const status = httpStatus(error);
      if (status !== null && isPermanent(status)) {
        // Retrying cannot fix it: pull again on a poke, `retry()`, coming online or a reload.
        this.#pullFailures = 0;
        this.#reportFailure('pull', requestId, startedAt, error, 1, null);
      } else {
        this.#pullFailures++;
        const retryInMs = this.#retryLater('pull', this.#pullFailures);
        this.#reportFailure('pull', requestId, startedAt, error, this.#pullFailures, retryInMs);
      }
      throw error;
    }

    const result = await outbox.applyPull({ acknowledgeUpTo: acknowledgedUpTo, writes, keep, cookie, pendingInMemory: (id) => mirror.isPending(id) });
    // A local write may have landed while the transaction ran: the adopt rule keeps it (it will be pushed).
    const applied = mirror.adopt(result.applied);
    const ownAcknowledged = acknowledgedUpTo?.[outbox.clientId];
    if (ownAcknowledged !== undefined) this.#lastAcknowledged = Math.max(this.#lastAcknowledged, ownAcknowledged);
    if (acknowledgedUpTo !== null) {
      await outbox.compact(ACKNOWLEDGED_ROWS_KEPT);
    }
    this.#pullFailures = 0;
    this.#errors.pull = null;
    this.#setOnline(true);
    this.#lastPullAt = env.now();
    for (const refusal of refused) emit({ type: 'sync:refused', clientId: refusal.clientID, mutationId: refusal.id, reason: refusal.reason });
    emit({
      type: 'sync:pull-succeeded',
      requestId,
      durationMs: env.now() - startedAt,
      bytes,
      cookieBefore,
      cookie,
      patchSize,
      applied,
      skipped: result.skipped.size,
      acknowledgedUpTo: ownAcknowledged ?? null,
      more: false,
    });
    this.#schedulePull(this.#o.pullIntervalMs);
  }

  /** POSTs to a sync route; resolves to the response text of a 2xx, throws a typed error otherwise. */
  async #request(route: 'push' | 'pull', body: string): Promise<string> {
    if (this.#simulatedOffline) {
      this.#setOnline(false);
      throw new KalphiteError('network', 'Could not reach the sync server: offline (simulated by setOffline).');
    }
    let response: Response;
    try {
      response = await this.#o.fetch(`${this.#o.url}/${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await this.#o.headers()) },
        body,
      });
    } catch (error) {
      this.#setOnline(false);
      throw new KalphiteError('network', `Could not reach the sync server: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The connection was cut in the middle of the response: the network's fault, not the server's.
      this.#setOnline(false);
      throw new KalphiteError('network', `The connection to the sync server broke during its answer to ${route}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.#setOnline(true);
    if (!response.ok) {
      const error = new KalphiteError('server-error', `The sync server answered ${response.status} to ${route}: ${serverMessage(text)}`);
      throw Object.assign(error, { status: response.status, limit: limitIn(text) });
    }
    return text;
  }

  /** `retryInMs` null: a permanent failure, not retried on its own. */
  #reportFailure(kind: 'push' | 'pull', requestId: number, startedAt: number, error: KalphiteError, attempt: number, retryInMs: number | null): void {
    this.#errors[kind] = { code: error.code, message: error.message, at: this.#o.env.now() };
    this.#o.emit({
      type: 'sync:request-failed',
      kind,
      requestId,
      durationMs: this.#o.env.now() - startedAt,
      status: httpStatus(error),
      error,
      attempt,
      retryInMs,
      permanent: retryInMs === null,
    });
  }

  #retryLater(kind: 'push' | 'pull', attempt: number): number {
    const delay = backoffDelay(attempt, this.#o.retry, this.#o.env.random);
    if (kind === 'push') this.#setPushTimer(delay);
    else this.#schedulePull(delay);
    return delay;
  }

  #setPushTimer(delayMs: number): void {
    if (this.#paused || this.#closed) return;
    this.#clearTimer('push');
    this.#pushTimer = this.#o.env.setTimeout(() => {
      this.#pushTimer = null;
      this.#background(this.push());
    }, delayMs);
  }

  #schedulePull(delayMs: number): void {
    if (this.#paused || this.#closed) return;
    this.#clearTimer('pull');
    this.#nextPullAt = this.#o.env.now() + delayMs;
    this.#pullTimer = this.#o.env.setTimeout(() => {
      this.#pullTimer = null;
      this.#nextPullAt = null;
      this.#background(this.pull());
    }, delayMs);
  }

  #clearTimer(kind: 'push' | 'pull'): void {
    const timer = kind === 'push' ? this.#pushTimer : this.#pullTimer;
    if (timer !== null) this.#o.env.clearTimeout(timer);
    if (kind === 'push') this.#pushTimer = null;
    else {
      this.#pullTimer = null;
      this.#nextPullAt = null;
    }
  }

  #clearTimers(): void {
    this.#clearTimer('push');
    this.#clearTimer('pull');
  }

  /** Background requests report failures as events and retry on their own. */
  #background(request: Promise<void>): void {
    request.catch(() => {
      // Reported as a sync:request-failed event and retried with backoff.
    });
  }

  #setOnline(online: boolean): void {
    if (this.#online === online) return;
    this.#online = online;
    this.#emitStatus();
  }

  #setPoke(state: PokeState): void {
    if (this.#poke === state) return;
    this.#poke = state;
    this.#emitStatus();
  }

  #emitStatus(): void {
    this.#o.emit({ type: 'sync:status', online: this.#online, paused: this.#paused, poke: this.#poke });
  }

  /** Keeps one server-sent-events stream open; every poke pulls at once. Reconnects with backoff. */
  #connectPoke(): void {
    if (!this.#o.poke || this.#paused || this.#simulatedOffline || this.#closed || this.#pokeAbort) return;
    const abort = new AbortController();
    this.#pokeAbort = abort;
    const run = async () => {
      let failures = 0;
      while (!abort.signal.aborted) {
        this.#setPoke('connecting');
        try {
          const response = await this.#o.fetch(`${this.#o.url}/poke`, { headers: await this.#o.headers(), signal: abort.signal });
          if (abort.signal.aborted) break;
          if (!response.ok || !response.body) throw new Error(`poke stream answered ${response.status}`);
          this.#setPoke('open');
          failures = 0;
          await readEvents(response.body, (version) => {
            this.#o.emit({ type: 'sync:poke', version });
            this.#background(this.pull());
          });
        } catch {
          // A broken stream is normal (server restart, network): reconnect after a backoff.
        }
        if (abort.signal.aborted) break;
        this.#setPoke('closed');
        await this.#sleep(backoffDelay(++failures, this.#o.retry, this.#o.env.random), abort.signal);
      }
      // A newer stream may already be connecting (resumed quickly): leave its state alone.
      if (this.#pokeAbort === abort) {
        this.#pokeAbort = null;
        this.#setPoke('closed');
      }
    };
    void run();
  }

  #disconnectPoke(): void {
    this.#pokeAbort?.abort();
    this.#pokeAbort = null;
    if (this.#poke !== 'off') this.#setPoke('closed');
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#o.env.setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        this.#o.env.clearTimeout(timer);
        resolve();
      });
    });
  }
}

function toMutation(entry: OutboxEntry): Mutation {
  return {
    clientID: entry.clientId,
    id: entry.mutationId,
    name: entry.op,
    args: (entry.op === 'upsert' && entry.entity ? entry.entity : { id: entry.entityId, type: entry.entityType }) as Mutation['args'],
    timestamp: entry.createdAt,
  };
}

/** Calls `onPoke` for each `poke` event in a server-sent-events stream, until it ends. */
async function readEvents(body: ReadableStream<Uint8Array>, onPoke: (version: number | null) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = block.split('\n');
      if (!lines.includes('event: poke')) continue;
      const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
      const version = data === undefined ? Number.NaN : Number(data);
      onPoke(Number.isFinite(version) ? version : null);
    }
  }
}

/** The HTTP status a `server-error` carries, else null. */
function httpStatus(error: KalphiteError): number | null {
  const { status } = error as { status?: unknown };
  return typeof status === 'number' ? status : null;
}

/**
 * A 4xx that asking again cannot fix. Not 401 (tokens get refreshed), 408 or 429 (asking later
 * works). A 413 is permanent once a push is down to one mutation (it splits before that).
 */
function isPermanent(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/** The body limit a 413 names (`maxBodyBytes`), if it does. */
function bodyLimit(error: KalphiteError): number | null {
  const { limit } = error as { limit?: unknown };
  return typeof limit === 'number' ? limit : null;
}

function limitIn(text: string): number | null {
  try {
    const body = JSON.parse(text) as { maxBodyBytes?: unknown };
    return typeof body.maxBodyBytes === 'number' && Number.isSafeInteger(body.maxBodyBytes) && body.maxBodyBytes > 0 ? body.maxBodyBytes : null;
  } catch {
    // Not JSON: the caller halves its body instead.
    return null;
  }
}

function newest(a: SyncErrorInfo | null, b: SyncErrorInfo | null): SyncErrorInfo | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.at >= b.at ? a : b;
}

/** One typed error per failed request: the event reports the same object the caller receives. */
function syncError(cause: unknown): KalphiteError {
  return toKalphiteError('protocol', cause instanceof ProtocolError ? new KalphiteError('protocol', cause.message) : cause);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KalphiteError('protocol', 'The sync server sent a body that is not JSON.');
  }
}

function serverMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON: show the start of the text instead.
  }
  return text.slice(0, 200) || '(empty body)';
}

