import type { Cookie } from '../../protocol/pull.js';
import type { OutboxEntry, PullApplication, PullResult } from '../persist/local-db.js';
import type { Entity } from '../store/entity.js';

/** The local db as sync needs it (`LocalDb` is one): the outbox to push, and where pulls land. */
export interface Outbox {
  readonly clientId: string;
  readonly clientGroupId: string;
  readonly cookie: Cookie;
  /** Unacknowledged rows, known without a query. */
  readonly outboxLength: number;
  /** Unacknowledged rows in push order. */
  unsyncedChanges(limit: number): Promise<OutboxEntry[]>;
  applyPull(input: PullApplication): Promise<PullResult>;
  /** Deletes acknowledged rows but the newest `keep`. */
  compact(keep: number): Promise<number>;
  /** Turns the first `count` unacknowledged rows into discards. */
  discardUnacknowledged(count: number): Promise<number>;
}

/** Memory as sync needs it: what it holds, and whether a local write of an id is on its way. */
export interface Mirror {
  get(id: string): Entity | undefined;
  ids(): Iterable<string>;
  /** A local write of `id` not yet in the outbox (in memory or in a flush). */
  isPending(id: string): boolean;
  /** Server values (undefined: deleted), adopted by the one rule (`adoptExternal`). */
  adopt(writes: Iterable<readonly [string, Entity | undefined]>): number;
}
