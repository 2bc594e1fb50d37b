import type { Entity } from './store/entity.js';
import type { HistorySkip } from './store/history.js';
import type { ChangeOrigin, EntityChange } from './store/store.js';
import type { Cookie } from '../protocol/pull.js';
import type { KalphiteError } from './errors.js';
import type { SchemaIssue } from '../protocol/standard-schema.js';

/**
 * Everything the engine does, as one discriminated union. The devtools and the tests read
 * these (and `inspect()`), never private fields. `at` is the engine clock in ms.
 */
export type KalphiteEvent =
  | {
      readonly type: 'store:changed';
      readonly at: number;
      readonly origin: ChangeOrigin;
      readonly tag: string | null;
      readonly version: number;
      readonly changes: readonly EntityChange[];
      /** In `events` (the history), a large commit keeps its first changes; this many more were heard by listeners. */
      readonly omitted?: number;
    }
  | { readonly type: 'flush:scheduled'; readonly at: number; readonly dueAt: number }
  | { readonly type: 'flush:started'; readonly at: number; readonly batchId: number; readonly size: number; readonly attempt: number }
  | {
      readonly type: 'flush:committed';
      readonly at: number;
      readonly batchId: number;
      readonly size: number;
      readonly durationMs: number;
      /** The batch's entity ids in write order: `ids[i]`, in space `spaces[i]`, got mutation id `mutationIds[i]` there. */
      readonly ids: readonly string[];
      readonly spaces: readonly string[];
      readonly mutationIds: readonly number[];
    }
  | { readonly type: 'flush:failed'; readonly at: number; readonly batchId: number; readonly size: number; readonly attempt: number; readonly error: KalphiteError }
  | { readonly type: 'flush:retry'; readonly at: number; readonly attempt: number; readonly delayMs: number; readonly dueAt: number }
  | {
      readonly type: 'db:opened';
      readonly at: number;
      readonly dataDir: string;
      readonly durationMs: number;
      readonly entityCount: number;
      readonly clientId: string;
      readonly profileId: string;
      readonly schemaVersion: number;
    }
  /** The local db did not open (nor could this tab join the one that holds it): the engine keeps its memory, refuses writes, and should be closed. */
  | { readonly type: 'db:open-failed'; readonly at: number; readonly error: KalphiteError }
  | { readonly type: 'db:migrated'; readonly at: number; readonly from: number; readonly to: number; readonly description: string }
  /** A new local db ran PostgreSQL's `initdb` (seconds in a browser) because the packed empty database could not be used. */
  | { readonly type: 'db:prebuilt-skipped'; readonly at: number; readonly reason: string }
  /** The local db's worker did not start (or its database did not open there): PGlite runs on the main thread instead. */
  | { readonly type: 'db:worker-failed'; readonly at: number; readonly dataDir: string; readonly reason: string }
  /** Where a browser's local db opened (`idb://` lands on OPFS where it can), and why there. */
  | { readonly type: 'db:storage'; readonly at: number; readonly dataDir: string; readonly storage: 'opfs' | 'indexeddb'; readonly reason: string }
  /**
   * An `idb://` database moved from IndexedDB to OPFS (once): its tables and rows, counted in both, and
   * the size copied. `indexedDbKept` says why the IndexedDB copy is still there, or is null when it is deleted.
   */
  | {
      readonly type: 'db:storage-migrated';
      readonly at: number;
      readonly dataDir: string;
      readonly from: 'indexeddb';
      readonly to: 'opfs';
      readonly tables: number;
      readonly rows: number;
      readonly bytes: number;
      readonly durationMs: number;
      readonly indexedDbKept: string | null;
    }
  /** The local db's worker died after it opened: every query to it fails (`db-failed`), so the engine should be closed and opened again. */
  | { readonly type: 'db:worker-died'; readonly at: number; readonly dataDir: string; readonly reason: string }
  | {
      readonly type: 'outbox:acknowledged';
      readonly at: number;
      readonly space: string;
      /** This client's newest acknowledged mutation id, if the server named it. */
      readonly upTo: number | null;
      /** Every client of the group the server named (the tabs sharing this database). */
      readonly byClient: Readonly<Record<string, number>>;
      readonly remaining: number;
    }
  | { readonly type: 'outbox:compacted'; readonly at: number; readonly removed: number }
  | { readonly type: 'db:reset'; readonly at: number; readonly clientId: string; readonly profileId: string; readonly droppedEntities: number; readonly droppedChanges: number }
  | { readonly type: 'sync:push-started'; readonly at: number; readonly space: string; readonly requestId: number; readonly mutations: number; readonly bytes: number; readonly firstMutationId: number; readonly lastMutationId: number }
  | { readonly type: 'sync:push-succeeded'; readonly at: number; readonly space: string; readonly requestId: number; readonly mutations: number; readonly bytes: number; readonly durationMs: number; readonly lastMutationId: number }
  | { readonly type: 'sync:pull-started'; readonly at: number; readonly space: string; readonly requestId: number; readonly cookie: Cookie }
  | {
      readonly type: 'sync:pull-succeeded';
      readonly at: number;
      readonly space: string;
      readonly requestId: number;
      readonly durationMs: number;
      readonly bytes: number;
      readonly cookieBefore: Cookie;
      readonly cookie: Cookie;
      readonly patchSize: number;
      readonly applied: number;
      /** Entities kept at their local value because they have unacknowledged local mutations. */
      readonly skipped: number;
      readonly acknowledgedUpTo: number | null;
      readonly more: boolean;
    }
  | {
      readonly type: 'sync:request-failed';
      readonly at: number;
      readonly kind: 'push' | 'pull';
      readonly requestId: number;
      readonly durationMs: number;
      readonly status: number | null;
      readonly error: KalphiteError;
      readonly attempt: number;
      /** When it is tried again; null for a permanent failure (`permanent`), which waits for a write or `retry()`. */
      readonly retryInMs: number | null;
      readonly permanent: boolean;
    }
  /** The server acknowledged a mutation without applying it (a resolver's no, a bad value): its value is replaced by the server's. */
  | { readonly type: 'sync:refused'; readonly at: number; readonly space: string; readonly clientId: string; readonly mutationId: number; readonly reason: string }
  /** The server's value replaced a local write (refused, overwritten in server order, deleted under it): the ledger's entry. */
  | { readonly type: 'sync:overwritten'; readonly at: number; readonly write: OverwrittenWrite }
  /** An undo or redo left these changes alone: someone changed them since, or a tombstone is final. */
  | { readonly type: 'history:skipped'; readonly at: number; readonly direction: 'undo' | 'redo'; readonly label: string | null; readonly skipped: readonly HistorySkip[] }
  /**
   * A poke's change landed without a pull (the client was at its `cookieBefore`): what a
   * `sync:pull-succeeded` says of a pull, for the version the poke named.
   */
  | {
      readonly type: 'sync:poke-applied';
      readonly at: number;
      readonly space: string;
      readonly cookieBefore: number;
      readonly cookie: number;
      readonly bytes: number;
      readonly patchSize: number;
      readonly applied: number;
      readonly skipped: number;
      readonly acknowledgedUpTo: number | null;
      readonly durationMs: number;
    }
  /** A space committed `version` (space null: pokes may have been missed, every space pulls). */
  | { readonly type: 'sync:poke'; readonly at: number; readonly space: string | null; readonly version: number | null }
  /**
   * The poke stream could not connect or broke: `retryInMs` until it tries again, or null when
   * retrying cannot fix it (403, 404): it stays closed until `resume()`, `retry()` or `setOffline(false)`.
   * Pulls still run on their interval meanwhile.
   */
  | { readonly type: 'sync:poke-failed'; readonly at: number; readonly status: number | null; readonly error: KalphiteError; readonly retryInMs: number | null }
  | { readonly type: 'sync:status'; readonly at: number; readonly online: boolean; readonly paused: boolean; readonly poke: PokeState }
  | { readonly type: 'tabs:changed'; readonly at: number; readonly role: TabRole; readonly tabs: number }
  /** This tab got the lock but could not open the local db: its writes stay in memory. */
  | { readonly type: 'tabs:takeover-failed'; readonly at: number; readonly error: KalphiteError }
  /** The leader tab speaks another tab protocol (another release of the app): this tab cannot join it. */
  | { readonly type: 'tabs:incompatible'; readonly at: number; readonly protocol: number; readonly leaderProtocol: number; readonly error: KalphiteError }
  /** A tab message failed its shape check and was ignored; reported for the first one, counted in `inspect().tabs`. */
  | { readonly type: 'tabs:message-refused'; readonly at: number; readonly refused: number }
  /** A space's entities are in memory: from the local db, or (`pulled`) after its first pull. */
  | { readonly type: 'space:opened'; readonly at: number; readonly space: string; readonly entityCount: number; readonly durationMs: number; readonly pulled: boolean }
  /** A space's first pull is on its way: pages and entities received so far. */
  | { readonly type: 'space:progress'; readonly at: number; readonly space: string; readonly pages: number; readonly entities: number; readonly more: boolean }
  | { readonly type: 'space:closed'; readonly at: number; readonly space: string; readonly forgot: boolean }
  /** The server said whether this user may write here; a local write into a read-only space throws `read-only-space`. */
  | { readonly type: 'space:writable'; readonly at: number; readonly space: string; readonly writable: boolean }
  /**
   * Read access was lost (the pull answered 403): the space is closed, its memory and local copy
   * dropped, and its unpushed writes given up (each also a `sync:refused`).
   */
  | { readonly type: 'space:lost'; readonly at: number; readonly space: string; readonly droppedWrites: number; readonly error: KalphiteError }
  /** An entity came from the server under an id memory holds in another space: kept in the local db, not in memory. */
  | { readonly type: 'space:held-aside'; readonly at: number; readonly space: string; readonly id: string; readonly heldIn: string }
  /**
   * A value that does not fit the app's schema: kept in the local db (`kalphite.heldAside()`), not
   * in memory. `pull`: the server sent it (memory keeps what it had; the cookie moves past it).
   * `migration`: a stored entity whose migrated value does not fit, when a newer schemaVersion opened.
   */
  | { readonly type: 'schema:held-aside'; readonly at: number; readonly space: string; readonly id: string; readonly entityType: string; readonly issues: readonly SchemaIssue[]; readonly source: 'pull' | 'migration' }
  /** A held-aside value left `held_aside`: `applied` (it fits the schema or migration this engine opened with), `superseded` (the server sent one that fits, or a delete). */
  | { readonly type: 'schema:released'; readonly at: number; readonly space: string; readonly id: string; readonly reason: 'applied' | 'superseded' }
  /** The local db was written under an older schemaVersion: `migrate` ran over its entities and pending outbox values, in the open's transaction. */
  | { readonly type: 'schema:migrated'; readonly at: number; readonly from: number; readonly to: number; readonly entities: number; readonly outbox: number }
  | { readonly type: 'engine:closed'; readonly at: number };

/**
 * A local write the server's value replaced: refused, overwritten by a write the server ordered
 * after it (the same field edited elsewhere), or deleted under it. `kalphite.overwritten()` lists them.
 */
export interface OverwrittenWrite {
  readonly space: string;
  readonly id: string;
  readonly type: string;
  /** This client's value (null: it deleted the entity). */
  readonly mine: Entity | null;
  /** The server's value that replaced it (null: deleted). */
  readonly server: Entity | null;
  /** The fields this client's writes changed; null: the whole entity (a create or a delete). */
  readonly fields: readonly string[] | null;
  readonly reason: 'refused' | 'overwritten' | 'deleted';
  /** The server's reason, for a refusal. */
  readonly refusal: string | null;
  readonly at: number;
}

/** The leader tab holds the local db and syncs; followers send it their writes. */
export type TabRole = 'leader' | 'follower';

export type PokeState = 'off' | 'connecting' | 'open' | 'closed';

export type KalphiteEventType = KalphiteEvent['type'];

/** Distributes an event without its `at`, which the emitter stamps from the engine clock. */
export type EmitEvent = (event: DistributiveOmit<KalphiteEvent, 'at'>) => void;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
