import { useEffect, useState } from 'react';
import type { Kalphite } from '../engine/index.js';
import { writesAtRisk, type WritesAtRisk } from './write-risk.js';

const same = (a: WritesAtRisk, b: WritesAtRisk) => a.total === b.total && a.notOnDisk === b.notOnDisk && a.notOnServer === b.notOnServer && a.stuck === b.stuck;

/**
 * The writes not safe yet, for the toggle button: read from `inspect()` at most once per animation
 * frame however many events arrive, and a state change only when a count or the reason changes, so a
 * closed panel costs the host app next to nothing.
 */
export function useWritesAtRisk(kalphite: Kalphite): WritesAtRisk {
  const [risk, setRisk] = useState(() => writesAtRisk(kalphite.inspect()));
  useEffect(() => {
    let frame: number | null = null;
    const schedule = globalThis.requestAnimationFrame ?? ((cb: FrameRequestCallback) => setTimeout(() => cb(0), 16) as unknown as number);
    const cancel = globalThis.cancelAnimationFrame ?? ((id: number) => clearTimeout(id));
    const refresh = () => {
      frame = null;
      if (kalphite.closed) return;
      const next = writesAtRisk(kalphite.inspect());
      setRisk((current) => (same(current, next) ? current : next));
    };
    refresh();
    const stop = kalphite.subscribe(() => {
      frame ??= schedule(refresh);
    });
    return () => {
      stop();
      if (frame !== null) cancel(frame);
    };
  }, [kalphite]);
  return risk;
}
