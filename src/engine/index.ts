export { createKalphite, openKalphite } from './kalphite.js';
export type { Kalphite, KalphiteInspection } from './instance.js';
export type { KalphiteOptions } from './options.js';
export type { KalphiteSpaces, SpaceInfo } from './spaces.js';
export { DEFAULT_SPACE } from '../protocol/space.js';
export type { KalphiteSnapshot, SpaceSnapshot } from '../protocol/snapshot.js';
export type { KalphiteStore, EntityMap, EntityChange, StoreCommit, StoreListener, ChangeOrigin, BatchOptions } from './store/store.js';
export type { Entity, JsonValue, JsonPrimitive } from './store/entity.js';
export type { LiveQuery, LiveCount } from './query/live-query.js';
export type { QueryOptions, CountOptions, OrderOf, WhereOf, DataPath, PathValue } from './query/options.js';
export type { IndexDeclarations } from './query/registry.js';
export type { TypedKalphite } from './kalphite.js';
export { SchemaInvalidError } from './store/schema.js';
export type { SchemaIssue } from './store/schema.js';
export type {
  StandardSchemaV1,
  StandardSchemaProps,
  StandardResult,
  StandardIssue,
  EntitySchema,
  NoSchema,
  SchemaInput,
  SchemaOutput,
  TypedEntity,
  TypeName,
  EntityOf,
  EntityInputOf,
  AnyEntityOf,
} from './store/schema-types.js';
export { KalphiteError, isKalphiteError } from './errors.js';
export type { KalphiteErrorCode } from './errors.js';
export type { KalphiteEvent, KalphiteEventType, OverwrittenWrite } from './events.js';
export type { KalphiteHistory, HistoryResult, HistorySkip } from './store/history.js';
export { UNDO_TAG, REDO_TAG } from './store/history.js';
export { REAPPLY_TAG } from './ledger.js';
export type { ReapplyResult } from './ledger.js';
export type { Environment, TimerHandle } from './environment.js';
export type { FlusherSnapshot, PendingFlush } from './persist/flusher.js';
export type { BackoffOptions } from './backoff.js';
export type { OutboxEntry, ChangeLogEntry } from './persist/local-db.js';
export type { Migrate, HeldAsideEntity } from './persist/app-schema.js';
export type { KalphiteSync, SyncStatus, SpaceSyncStatus, Verification, DivergenceReport, DivergentIds, TypeDivergence } from './sync/sync-client.js';
export type { PokeState } from './events.js';
