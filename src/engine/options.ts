import type { PGliteInterface } from '@electric-sql/pglite';
import { DEFAULT_SPACE, spaceProblem } from '../protocol/space.js';
import type { BackoffOptions } from './backoff.js';
import { resolveEnvironment, type Environment } from './environment.js';
import { KalphiteError } from './errors.js';
import type { Migrate } from './persist/app-schema.js';
import type { IndexDeclarations } from './query/registry.js';
import { EntityValidator } from './store/schema.js';
import type { EntitySchema } from './store/schema-types.js';
import type { SyncSettings } from './sync/sync-client.js';
import type { KalphiteSnapshot } from '../protocol/snapshot.js';
import { InitialSnapshot } from './initial-snapshot.js';
import { isBrowserDataDir } from './persist/worker/storage-choice.js';
import { browserTabLink, type TabLink } from './tabs/tab-link.js';

export interface KalphiteOptions<S extends EntitySchema = EntitySchema, Strict extends boolean = boolean> {
  /**
   * A Standard Schema validator (zod, valibot, arktype…) of `data` per entity type: every local
   * write is checked synchronously and stores the validator's output; a failure throws
   * `schema-invalid` and writes nothing. The store, queries and hooks are typed by it.
   */
  readonly schema?: S;
  /** With a schema: refuse writes of types it does not name (default false: they pass unchecked). */
  readonly strict?: Strict;
  /**
   * The version of the app's data shape (a non-negative integer, default 0), sent with every pull.
   * A local db written under an older one runs `migrate` over what it stores, once, when it opens.
   */
  readonly schemaVersion?: number;
  /**
   * Turns an entity written under `fromVersion` into its data under `toVersion` (synchronous);
   * its output is checked by the schema, and one that does not fit is held aside, not dropped.
   */
  readonly migrate?: Migrate;
  /** Secondary indexes to build at load, per type (`{ comment: ['filePath'] }`); queries create the others on first use. */
  readonly indexes?: IndexDeclarations;
  /**
   * `memory://` (default), a folder path in Node, or in browsers `idb://name`: the leader tab's worker
   * keeps it on OPFS where the browser can (moving an IndexedDB copy there once), in IndexedDB
   * otherwise. `idb-only://name` stays in IndexedDB; `opfs://name` is that OPFS database, never IndexedDB.
   */
  readonly dataDir?: string;
  /** Where a write without `space` goes (default `'default'`, so the seed's examples run unchanged). */
  readonly defaultSpace?: string;
  /** The spaces to open at once (default: the default space); `createKalphite` resolves once their local copies are in memory. */
  readonly spaces?: readonly string[];
  /** Use this PGlite instead of opening `dataDir` (the caller owns and closes it). */
  readonly pglite?: PGliteInterface;
  /**
   * A server render's snapshot (`core.snapshot()` on the server): memory starts from it, before the
   * local db opens, and its spaces open too. Checked as data from the network (`invalid-options`).
   * Once the local db is open, a write it holds that the server has not acknowledged wins over the
   * snapshot, and the snapshot wins over an older local copy until the first pull brings it up to date.
   */
  readonly initialSnapshot?: KalphiteSnapshot;
  /** Quiet time after the last write before a flush (default 100 ms). */
  readonly flushDelayMs?: number;
  /** Longest a write waits for a flush while writes keep coming (default 1000 ms). */
  readonly flushMaxWaitMs?: number;
  /** Backoff for failed flushes (default 100 ms doubling up to 30 s, with jitter). */
  readonly flushRetry?: Partial<BackoffOptions>;
  /** Base URL of a Kalphite sync server's routes (e.g. `https://example.com/api/sync`); no sync without it. */
  readonly syncUrl?: string;
  /** Quiet time after a flush before pushing (default 1000 ms). */
  readonly pushDelayMs?: number;
  /** Pull this often even without pokes (default 5000 ms). */
  readonly pullIntervalMs?: number;
  /** Entries per pull response page (default 1000). */
  readonly pullPageSize?: number;
  /** Listen for server pokes (server-sent events) to pull at once (default true). */
  readonly poke?: boolean;
  /**
   * The largest push request body (default 1 MiB, the server's default limit); a 413 lowers it to
   * the server's. `entities.set` refuses an entity that could not fit in one.
   */
  readonly maxPushBytes?: number;
  /** Backoff for failed sync requests (default 500 ms doubling up to 30 s, with jitter). */
  readonly syncRetry?: Partial<BackoffOptions>;
  /** Headers for every sync request (e.g. authorization), asked for before each. */
  readonly syncHeaders?: () => Record<string, string> | Promise<Record<string, string>>;
  /** The fetch to sync with (default `globalThis.fetch`). */
  readonly fetch?: typeof fetch;
  /** How many recent events `instance.events` keeps (default 200). */
  readonly eventHistory?: number;
  /** How many steps `kalphite.history` can undo (default 100; 0 turns undo off). */
  readonly undoLimit?: number;
  /** Clock, timers, randomness and page-hide hook; browser/Node defaults. */
  readonly environment?: Partial<Environment>;
  /**
   * How tabs sharing `dataDir` coordinate (one leader holds the local db and syncs; every tab keeps
   * all entities in memory). Default: Web Locks + BroadcastChannel for `idb://` (and `idb-only://`, `opfs://`) in browsers; `false`
   * makes this engine the only one (it must then be alone on its `dataDir`).
   */
  readonly tabs?: TabLink | false;
}

/**
 * Every constant the engine tunes itself by, in one place. Not options: changing one changes what
 * the tests prove, so each says why it is what it is.
 */
export const LIMITS = {
  /** Mutations per push request at most; `maxPushBytes` caps it further. */
  pushBatchSize: 500,
  /** Acknowledged outbox rows kept for the devtools' change log when a pull compacts the outbox. */
  acknowledgedRowsKept: 1000,
  /** Room in a push body for its envelope and one mutation's fields around the entity. */
  pushEnvelopeBytes: 1024,
  /** How long a closing follower tab waits for the leader to persist its last writes. */
  followerCloseWaitMs: 3000,
  /** How long a tab that failed to open the local db waits before queueing for the lock again. */
  takeoverRetryMs: 1000,
  /** Change-log rows `changeLog()` returns when asked for no limit. */
  changeLogRows: 500,
  /** Overwritten writes the ledger (`overwritten()`) keeps, the newest. */
  overwrittenKept: 100,
} as const;

const DEFAULTS = {
  dataDir: 'memory://',
  flushDelayMs: 100,
  flushMaxWaitMs: 1000,
  flushRetry: { baseMs: 100, maxMs: 30_000 },
  eventHistory: 200,
  undoLimit: 100,
  pushDelayMs: 1000,
  pullIntervalMs: 5000,
  pullPageSize: 1000,
  maxPushBytes: 1024 * 1024,
  syncRetry: { baseMs: 500, maxMs: 30_000 },
} as const;

/** The options with every default filled in and every value checked. */
export interface EngineSettings {
  readonly dataDir: string;
  readonly defaultSpace: string;
  readonly spaces: readonly string[];
  readonly pglite: PGliteInterface | undefined;
  readonly flush: { readonly delayMs: number; readonly maxWaitMs: number; readonly retry: BackoffOptions };
  /** Null: no `syncUrl`, the engine is local only. */
  readonly sync: SyncSettings | null;
  readonly eventHistory: number;
  readonly undoLimit: number;
  readonly env: Environment;
  /** Null: this engine is alone on its dataDir. */
  readonly tabs: TabLink | null;
  /** Entities larger than this as JSON are refused at `entities.set` (a push must carry them). */
  readonly maxEntityBytes: number;
  /** Null: no schema, writes are checked for JSON only. */
  readonly schema: EntityValidator | null;
  /** The app's schemaVersion (0 when not given), sent with pulls; a local db written under an older one runs `migrate` at open. */
  readonly schemaVersion: number;
  readonly migrate: Migrate | null;
  readonly indexes: IndexDeclarations | undefined;
  /** Null: memory starts empty (or from the local db). */
  readonly snapshot: InitialSnapshot | null;
}

/** Fills in the defaults and checks every option; throws `invalid-options` naming the one that is wrong. */
export function resolveOptions(options: KalphiteOptions): EngineSettings {
  const dataDir = options.dataDir ?? DEFAULTS.dataDir;
  const maxPushBytes = nonNegative('maxPushBytes', options.maxPushBytes ?? DEFAULTS.maxPushBytes);
  if (maxPushBytes < 2 * LIMITS.pushEnvelopeBytes) throw new KalphiteError('invalid-options', `Option maxPushBytes must be at least ${2 * LIMITS.pushEnvelopeBytes}.`);
  const defaultSpace = spaceOption('defaultSpace', options.defaultSpace ?? DEFAULT_SPACE);
  const given = options.spaces ?? [defaultSpace];
  if (!Array.isArray(given)) throw new KalphiteError('invalid-options', 'Option spaces must be an array of space ids.');
  const snapshot = options.initialSnapshot === undefined ? null : new InitialSnapshot(options.initialSnapshot);
  const spaces = [...given, ...(snapshot?.spaces ?? [])];
  return {
    dataDir,
    defaultSpace,
    spaces: [...new Set(spaces.map((space, index) => spaceOption(`spaces[${index}]`, space)))],
    pglite: options.pglite,
    flush: {
      delayMs: nonNegative('flushDelayMs', options.flushDelayMs ?? DEFAULTS.flushDelayMs),
      maxWaitMs: nonNegative('flushMaxWaitMs', options.flushMaxWaitMs ?? DEFAULTS.flushMaxWaitMs),
      retry: backoff('flushRetry', options.flushRetry, DEFAULTS.flushRetry),
    },
    sync: syncSettings(options, maxPushBytes),
    eventHistory: nonNegative('eventHistory', options.eventHistory ?? DEFAULTS.eventHistory),
    undoLimit: nonNegative('undoLimit', options.undoLimit ?? DEFAULTS.undoLimit),
    env: resolveEnvironment(options.environment),
    tabs: options.tabs === false ? null : (options.tabs ?? (isBrowserDataDir(dataDir) ? browserTabLink() : null)),
    maxEntityBytes: maxPushBytes - LIMITS.pushEnvelopeBytes,
    schema: schemaOption(options),
    ...schemaVersionOptions(options),
    indexes: options.indexes,
    snapshot,
  };
}

function syncSettings(options: KalphiteOptions, maxPushBytes: number): SyncSettings | null {
  // Checked even without a syncUrl, so a typo fails the same way whether or not the engine syncs.
  const timings = {
    pushDelayMs: nonNegative('pushDelayMs', options.pushDelayMs ?? DEFAULTS.pushDelayMs),
    pullIntervalMs: nonNegative('pullIntervalMs', options.pullIntervalMs ?? DEFAULTS.pullIntervalMs),
    pullPageSize: Math.max(1, Math.floor(nonNegative('pullPageSize', options.pullPageSize ?? DEFAULTS.pullPageSize))),
    retry: backoff('syncRetry', options.syncRetry, DEFAULTS.syncRetry),
  };
  if (options.syncUrl === undefined) return null;
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchImpl !== 'function') throw new KalphiteError('invalid-options', 'syncUrl needs a fetch: pass the fetch option where there is no global fetch.');
  return {
    url: options.syncUrl.replace(/\/$/, ''),
    ...timings,
    pushBatchSize: LIMITS.pushBatchSize,
    acknowledgedRowsKept: LIMITS.acknowledgedRowsKept,
    maxPushBytes,
    poke: options.poke ?? true,
    fetch: fetchImpl,
    headers: options.syncHeaders ?? (() => ({})),
  };
}

function backoff(name: string, given: Partial<BackoffOptions> | undefined, defaults: BackoffOptions): BackoffOptions {
  return {
    baseMs: nonNegative(`${name}.baseMs`, given?.baseMs ?? defaults.baseMs),
    maxMs: nonNegative(`${name}.maxMs`, given?.maxMs ?? defaults.maxMs),
  };
}

function schemaOption(options: KalphiteOptions): EntityValidator | null {
  if (options.strict !== undefined && typeof options.strict !== 'boolean') throw new KalphiteError('invalid-options', 'Option strict must be true or false.');
  if (options.schema === undefined) {
    if (options.strict === true) throw new KalphiteError('invalid-options', 'Option strict needs a schema: it refuses the types the schema does not name.');
    return null;
  }
  return new EntityValidator(options.schema, options.strict === true);
}

function schemaVersionOptions(options: KalphiteOptions): { schemaVersion: number; migrate: Migrate | null } {
  const schemaVersion = options.schemaVersion ?? 0;
  if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 0) {
    throw new KalphiteError('invalid-options', `Option schemaVersion must be a non-negative integer (got ${String(schemaVersion)}).`);
  }
  if (options.migrate !== undefined && typeof options.migrate !== 'function') throw new KalphiteError('invalid-options', 'Option migrate must be a function.');
  return { schemaVersion, migrate: options.migrate ?? null };
}

function spaceOption(name: string, value: unknown): string {
  const problem = spaceProblem(value, `Option ${name}`);
  if (problem) throw new KalphiteError('invalid-options', `${problem}.`);
  return value as string;
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new KalphiteError('invalid-options', `Option ${name} must be a finite number >= 0 (got ${String(value)}).`);
  }
  return value;
}
