import { useEffect, useState } from 'react';
import type { Kalphite, KalphiteEventType } from '../engine/index.js';

/** What the last read of the engine answered, and why the last read failed (a closed engine, a tab that does not hold the local db), or null. */
export interface EngineRead<T> {
  readonly value: T;
  readonly error: string | null;
}

/**
 * A value the devtools read from the engine (`kalphite.changeLog()`, `kalphite.heldAside()`), read
 * once and again whenever the engine emits one of `reloadOn`. At most one read runs at a time;
 * events during a read cause exactly one more, so the answer shown last began after the last event.
 * A failed read keeps the value it had and says why. Pass `read` and `reloadOn` as
 * constants: a new one starts the reads over.
 */
export function useEngineRead<T>(kalphite: Kalphite, read: (kalphite: Kalphite) => Promise<T>, reloadOn: ReadonlySet<KalphiteEventType>, initial: T): EngineRead<T> {
  const [view, setView] = useState<EngineRead<T>>({ value: initial, error: null });
  useEffect(() => {
    let disposed = false;
    let reading = false;
    let again = false;
    const start = () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      read(kalphite)
        .then(
          (value) => !disposed && setView({ value, error: null }),
          (reason: unknown) => !disposed && setView((v) => ({ value: v.value, error: reason instanceof Error ? reason.message : String(reason) })),
        )
        .finally(() => {
          reading = false;
          if (again && !disposed) {
            again = false;
            start();
          }
        });
    };
    start();
    const stop = kalphite.subscribe((event) => {
      if (reloadOn.has(event.type)) start();
    });
    return () => {
      disposed = true;
      stop();
    };
  }, [kalphite, read, reloadOn]);
  return view;
}
