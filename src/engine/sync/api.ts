import type { Cookie } from '../../protocol/pull.js';
import type { BackoffOptions } from '../backoff.js';
import type { Environment } from '../environment.js';
import type { KalphiteError } from '../errors.js';
import type { EmitEvent, PokeState } from '../events.js';
import type { Mirror, Outbox } from './ports.js';
import type { SyncErrorInfo } from './request-loop.js';
import type { DivergenceReport } from './digest.js';
import type { Verification } from './verify.js';

/* The public face of layer 4: what the engine passes to `SyncClient`, and what it shows as `instance.sync`. */

export interface SyncClientOptions {
  /** Base URL of the sync routes, e.g. `https://example.com/api/sync`. */
  readonly url: string;
  readonly pushDelayMs: number;
  readonly pullIntervalMs: number;
  readonly pullPageSize: number;
  readonly pushBatchSize: number;
  /** Acknowledged outbox rows kept after a pull compacts them away (the devtools' change log shows them). */
  readonly acknowledgedRowsKept: number;
  /** The largest push body; lowered when the server answers 413 with its own limit. */
  readonly maxPushBytes: number;
  readonly poke: boolean;
  readonly retry: BackoffOptions;
  readonly fetch: typeof fetch;
  /** Extra request headers (auth), asked for before every request. */
  readonly headers: () => Record<string, string> | Promise<Record<string, string>>;
  readonly outbox: Outbox;
  readonly mirror: Mirror;
  /** What `verify()` checks without a space named. */
  readonly defaultSpace: string;
  /**
   * Read access to `space` was lost (its pull answered 403): the local db has dropped it, and its
   * unacknowledged writes (`dropped`, each reported as refused); memory lets go of it.
   */
  readonly onSpaceLost: (space: string, error: KalphiteError, dropped: number) => void;
  readonly env: Environment;
  readonly emit: EmitEvent;
}

/** What the engine's options decide about sync (the rest of `SyncClientOptions` is wiring). */
export type SyncSettings = Omit<SyncClientOptions, 'outbox' | 'mirror' | 'defaultSpace' | 'onSpaceLost' | 'env' | 'emit'>;

export interface SyncStatus {
  readonly online: boolean;
  readonly paused: boolean;
  /** `setOffline(true)` is in force. */
  readonly simulatedOffline: boolean;
  readonly pushing: boolean;
  readonly pulling: boolean;
  readonly poke: PokeState;
  readonly clientId: string;
  /** The browser profile: the local database, shared by its tabs. */
  readonly profileId: string;
  /** Outbox rows the server has not acknowledged yet, in every space. */
  readonly unacknowledged: number;
  /** Every space the local db knows: each is its own client group with its own cookie. */
  readonly spaces: readonly SpaceSyncStatus[];
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
  readonly blocked: (SyncErrorInfo & { readonly space: string; readonly status: number | null; readonly mutations: number }) | null;
}

/** One space as sync sees it. */
export interface SpaceSyncStatus {
  readonly space: string;
  /** Pulled and poked: open in memory, or closed with writes still to be acknowledged. */
  readonly syncing: boolean;
  readonly clientGroupId: string;
  readonly cookie: Cookie;
  /** What the server said in its last pull (null: not known yet). */
  readonly writable: boolean | null;
  readonly unacknowledged: number;
  /** This client's newest mutation id in this space the server has acknowledged. */
  readonly acknowledgedMutationId: number;
  readonly lastPullAt: number | null;
  /** This client's newest write the server refused here, with its reason. */
  readonly lastRefusal: { readonly mutationId: number; readonly reason: string; readonly at: number } | null;
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
  /** Reads the server's whole state of a space (default: the engine's default space) without applying it, and compares it with memory. */
  verify(space?: string): Promise<Verification>;
  /**
   * The divergence check: per entity type of a space (default: the engine's default space), how many
   * entities memory and the server hold and whether their contents agree, from digests the server
   * computes (no entity is downloaded). With `type`, also which of that type's ids differ.
   */
  checkDivergence(space?: string, type?: string): Promise<DivergenceReport>;
  readonly status: SyncStatus;
}
