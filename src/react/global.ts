import { createKalphite, type Kalphite, type KalphiteOptions } from '../engine/index.js';

/**
 * The seed's global mode: `initializeStore()` once at start-up, then `useKalphiteStore()` anywhere
 * without a provider. Hooks suspend until the engine is ready, so nothing reads it half-open.
 */
export interface GlobalKalphite {
  readonly promise: Promise<Kalphite>;
}

let global: GlobalKalphite | null = null;

/** Opens the global engine (default `idb://kalphite` in browsers, `memory://` elsewhere). Idempotent. */
export function initializeStore(options: KalphiteOptions = {}): Promise<Kalphite> {
  if (global) return global.promise;
  const dataDir = options.dataDir ?? (typeof indexedDB === 'undefined' ? 'memory://' : 'idb://kalphite');
  const entry: GlobalKalphite = { promise: createKalphite({ ...options, dataDir }) };
  // Marked the way React's use() reads thenables: once settled, use() returns without suspending.
  entry.promise.then(
    (instance) => {
      Object.assign(entry.promise, { status: 'fulfilled', value: instance });
    },
    (error: unknown) => {
      Object.assign(entry.promise, { status: 'rejected', reason: error });
    },
  );
  global = entry;
  return entry.promise;
}

/** The global engine's state, for the hooks. */
export function globalKalphite(): GlobalKalphite | null {
  return global;
}

/** Closes and forgets the global engine (tests, hot reload). */
export async function resetGlobalStore(): Promise<void> {
  const entry = global;
  global = null;
  if (entry) await (await entry.promise.catch(() => null))?.close();
}
