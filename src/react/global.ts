import { createKalphite, type Kalphite, type KalphiteOptions } from '../engine/index.js';

/**
 * The seed's global mode: `initializeStore()` once at start-up, then `useKalphiteStore()` anywhere
 * without a provider. Hooks suspend until the engine is ready, so nothing reads it half-open.
 */
export interface GlobalKalphite {
  readonly promise: Promise<Kalphite>;
  instance: Kalphite | null;
  error: unknown;
}

let global: GlobalKalphite | null = null;

/** Opens the global engine (default `idb://kalphite` in browsers, `memory://` elsewhere). Idempotent. */
export function initializeStore(options: KalphiteOptions = {}): Promise<Kalphite> {
  if (global) return global.promise;
  const dataDir = options.dataDir ?? (typeof indexedDB === 'undefined' ? 'memory://' : 'idb://kalphite');
  const entry: GlobalKalphite = { promise: createKalphite({ ...options, dataDir }), instance: null, error: null };
  entry.promise.then(
    (instance) => {
      entry.instance = instance;
    },
    (error: unknown) => {
      entry.error = error;
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
