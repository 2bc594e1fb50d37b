import { useEffect, useState } from 'react';
import type { ChangeLogEntry, Kalphite } from '../engine/index.js';

export interface ChangeLogView {
  readonly entries: readonly ChangeLogEntry[];
  /** Why the last read failed (the engine closed, say), or null. */
  readonly error: string | null;
}

const RELOAD_ON = new Set(['flush:committed', 'outbox:acknowledged', 'sync:refused', 'outbox:compacted', 'db:reset']);

/**
 * The engine's change log (`kalphite.changeLog()`), read again whenever the outbox changes. At most
 * one read runs at a time; changes during a read cause exactly one more.
 */
export function useChangeLog(kalphite: Kalphite, limit = 500): ChangeLogView {
  const [view, setView] = useState<ChangeLogView>({ entries: [], error: null });
  useEffect(() => {
    let disposed = false;
    let reading = false;
    let again = false;
    const read = () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      kalphite
        .changeLog({ limit })
        .then(
          (entries) => !disposed && setView({ entries, error: null }),
          (reason: unknown) => !disposed && setView((v) => ({ entries: v.entries, error: reason instanceof Error ? reason.message : String(reason) })),
        )
        .finally(() => {
          reading = false;
          if (again && !disposed) {
            again = false;
            read();
          }
        });
    };
    read();
    const stop = kalphite.subscribe((event) => {
      if (RELOAD_ON.has(event.type)) read();
    });
    return () => {
      disposed = true;
      stop();
    };
  }, [kalphite, limit]);
  return view;
}
