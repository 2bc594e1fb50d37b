import type { LocalSpace, OutboxEntry, PullApplication, PullResult } from '../persist/local-db.js';
import type { Entity } from '../store/entity.js';

/** The local db as sync needs it (`LocalDb` is one): the outbox to push, and where pulls land. */
export interface Outbox {
  readonly clientId: string;
  /** The browser profile (every space's `profileID` on the wire). */
  readonly profileId: string;
  /** The app's schemaVersion, sent with every pull (Replicache's field, as a string). */
  readonly appSchemaVersion: number;
  /** Every space the local db knows, with its client group and cookie. */
  readonly spaces: ReadonlyMap<string, LocalSpace>;
  /** Unacknowledged rows, known without a query. */
  readonly outboxLength: number;
  unacknowledgedIn(space: string): number;
  ensureSpace(space: string): Promise<LocalSpace>;
  /** Unacknowledged rows in push order (every space's). */
  unsyncedChanges(limit: number): Promise<OutboxEntry[]>;
  applyPull(input: PullApplication): Promise<PullResult>;
  /** Deletes acknowledged rows but the newest `keep`. */
  compact(keep: number): Promise<number>;
  /** Turns the first `count` unacknowledged rows of `space` into discards. */
  discardUnacknowledged(space: string, count: number): Promise<number>;
  /** Read access was lost: everything of `space` goes; resolves to the unacknowledged writes given up. */
  dropSpace(space: string): Promise<OutboxEntry[]>;
}

/** Memory as sync needs it: which spaces it holds, what it holds, and whether a local write of an id is on its way. */
export interface Mirror {
  get(id: string): Entity | undefined;
  /** The ids memory holds in `space`. */
  ids(space: string): Iterable<string>;
  /** A local write of `id` not yet in the outbox (in memory or in a flush). */
  isPending(id: string): boolean;
  /**
   * Server values of one space as the local db took them (undefined: deleted): memory adopts them
   * by the one rule (`adoptExternal`) if it holds the space. Returns how many it adopted.
   */
  adopt(space: string, writes: Iterable<readonly [string, Entity | undefined]>): number;
}
