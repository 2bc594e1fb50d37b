import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type { KalphiteEvent, SyncStatus } from '../engine/index.js';
import { useKalphiteInstance } from './hooks.js';

/** The engine's sync status (null without `syncUrl`), re-rendering when it changes. */
export function useSyncStatus(): SyncStatus | null {
  const kalphite = useKalphiteInstance();
  const source = useMemo(() => {
    let cached = kalphite.sync?.status ?? null;
    let key = JSON.stringify(cached);
    return {
      subscribe: (notify: () => void) =>
        kalphite.subscribe((event) => {
          if (event.type.startsWith('sync:') || event.type === 'flush:committed' || event.type === 'outbox:acknowledged') notify();
        }),
      // A new object only when something in it changed, so React skips equal snapshots.
      get: () => {
        const next = kalphite.sync?.status ?? null;
        const nextKey = JSON.stringify(next);
        if (nextKey !== key) {
          cached = next;
          key = nextKey;
        }
        return cached;
      },
    };
  }, [kalphite]);
  return useSyncExternalStore(source.subscribe, source.get, source.get);
}

/** Calls `listener` for every engine event while mounted (the latest listener, without resubscribing). */
export function useKalphiteEvents(listener: (event: KalphiteEvent) => void): void {
  const kalphite = useKalphiteInstance();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => kalphite.subscribe((event) => latest.current(event)), [kalphite]);
}
