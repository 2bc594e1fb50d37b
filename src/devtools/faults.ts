/** Network faults the devtools can inject between an engine and its sync server. */
export interface Faults {
  /** Added to every sync request. */
  readonly latencyMs: number;
  /** Each response is lost (after the server handled the request) with this probability. */
  readonly dropResponses: number;
  /** Every push is sent twice. */
  readonly duplicatePushes: boolean;
  /** The next N requests fail before reaching the server. */
  readonly failNext: number;
  /** Every request fails, as with no network. */
  readonly offline: boolean;
}

export interface FaultInjector {
  /** Pass as the engine's `fetch` option. */
  readonly fetch: typeof fetch;
  readonly faults: Faults;
  set(patch: Partial<Faults>): void;
  subscribe(listener: () => void): () => void;
}

export const NO_FAULTS: Faults = { latencyMs: 0, dropResponses: 0, duplicatePushes: false, failNext: 0, offline: false };

/**
 * Wraps a fetch so faults can be switched on and off at run time (`createKalphite({ fetch:
 * injector.fetch })`), to show that the engine loses nothing under them. The poke stream is
 * left alone except when offline.
 */
export function createFaultInjector(base: typeof fetch = (input, init) => globalThis.fetch(input, init), random: () => number = Math.random): FaultInjector {
  let faults = NO_FAULTS;
  const listeners = new Set<() => void>();
  const set = (patch: Partial<Faults>) => {
    faults = { ...faults, ...patch };
    for (const listener of listeners) listener();
  };
  const injected: typeof fetch = async (input, init) => {
    // The route without its query (`…/push?space=default` is a push).
    const url = String(input instanceof Request ? input.url : input).split('?')[0] ?? '';
    if (faults.offline) throw new TypeError('Failed to fetch (devtools: offline)');
    if (url.endsWith('/poke')) return base(input, init);
    if (faults.failNext > 0) {
      set({ failNext: faults.failNext - 1 });
      throw new TypeError('Failed to fetch (devtools: injected failure)');
    }
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.duplicatePushes && url.endsWith('/push')) await base(input, init);
    const response = await base(input, init);
    if (faults.dropResponses > 0 && random() < faults.dropResponses) throw new TypeError('Failed to fetch (devtools: response dropped)');
    return response;
  };
  return {
    fetch: injected,
    get faults() {
      return faults;
    },
    set,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
