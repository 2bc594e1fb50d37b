import type { Listener } from './event-bus.js';
import type { KalphiteEvent, OverwrittenWrite, TabRole } from './events.js';
import type { ReapplyResult } from './ledger.js';
import type { FlusherSnapshot } from './persist/flusher.js';
import type { HeldAsideEntity } from './persist/app-schema.js';
import type { ChangeLogEntry } from './persist/local-db.js';
import type { KalphiteSpaces, SpaceInfo } from './spaces.js';
import type { KalphiteHistory } from './store/history.js';
import type { KalphiteStore } from './store/store.js';
import type { KalphiteSync, SyncStatus } from './sync/sync-client.js';

/** A plain, synchronous picture of the engine for devtools and tests. */
export interface KalphiteInspection {
  /** The engine clock when this picture was taken (countdowns are measured from it). */
  readonly at: number;
  readonly clientId: string;
  readonly profileId: string;
  readonly dataDir: string;
  readonly closed: boolean;
  readonly version: number;
  readonly defaultSpace: string;
  /** Open spaces and those the local db knows. */
  readonly spaces: readonly SpaceInfo[];
  /** This tab's role among the tabs sharing `dataDir`, how many there are (1 without tabs), and how many tab messages failed their shape check. */
  readonly tabs: { readonly role: TabRole; readonly count: number; readonly refusedMessages: number };
  readonly entityCount: number;
  readonly countsByType: Readonly<Record<string, number>>;
  readonly flush: FlusherSnapshot;
  readonly outbox: { readonly length: number };
  readonly sync: SyncStatus | null;
  /** The newest failure (flush, push, pull, takeover) that has not been followed by a success of its kind. */
  readonly lastError: { readonly code: string; readonly message: string; readonly at: number } | null;
}

/** One engine: memory store, flusher, local db and sync. */
export interface Kalphite {
  readonly store: KalphiteStore;
  /** The spaces this engine holds in memory and syncs. */
  readonly spaces: KalphiteSpaces;
  /** Undo and redo of this engine's own writes: one step per batch (its tag is the step's label). */
  readonly history: KalphiteHistory;
  /**
   * Resolves once the local db is open and its contents are in memory (at once for an engine from
   * `createKalphite`); rejects when it could not open. Reads and writes work before it does.
   */
  readonly ready: Promise<void>;
  /** Layer 4, when `syncUrl` is set (null until the local db is open). */
  readonly sync: KalphiteSync | null;
  /** This engine's sync client (a new one each time an engine opens, as a tab is). */
  readonly clientId: string;
  /**
   * The browser profile (empty until the local db is open): the local database, shared by every engine (tab) that opens it. On the
   * wire each (profile, space) pair is a client group of its own (`spaces.list()`).
   */
  readonly profileId: string;
  readonly dataDir: string;
  readonly closed: boolean;
  /** Recent events, oldest first. */
  readonly events: readonly KalphiteEvent[];
  subscribe(listener: Listener<KalphiteEvent>): () => void;
  inspect(): KalphiteInspection;
  /**
   * The ledger: local writes the server's value replaced (refused, a same-field edit the server
   * ordered after, a delete under them), oldest first, the newest 100.
   */
  overwritten(): readonly OverwrittenWrite[];
  /** Writes my value of an overwritten write again, on top of what is there now (tagged `reapply`). */
  reapply(write: OverwrittenWrite): ReapplyResult;
  /** Persists every write made so far; resolves once it is in the local db. */
  flush(): Promise<void>;
  /** The newest local changes (outbox rows, acknowledged or not), newest first, for the devtools. */
  changeLog(options?: { readonly limit?: number }): Promise<readonly ChangeLogEntry[]>;
  /**
   * Server values the local db holds aside because they do not fit the schema (with the issues),
   * oldest first: not in memory, applied once a schema or `migrate` makes them fit, or replaced by
   * a later server value. Belongs to the tab holding the local db (`not-leader` in the others).
   */
  heldAside(): Promise<readonly HeldAsideEntity[]>;
  /**
   * Throws away everything local (memory, pending flushes, unacknowledged changes, cookie) and
   * starts again as a new client, pulling the server's state afresh. Unsynced writes are lost.
   */
  reset(): Promise<void>;
  /** Flushes, stops every timer and closes the local db. Writes afterwards throw `closed`. */
  close(): Promise<void>;
}
