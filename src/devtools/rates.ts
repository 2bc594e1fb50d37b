import type { KalphiteEvent } from '../engine/index.js';

/** One second of the engine's activity. */
export interface RateBucket {
  /** The second, as engine-clock ms / 1000, floored. */
  readonly second: number;
  /** Entities written locally in it (a batch of 100 counts 100). */
  readonly writes: number;
  /** Batches committed to the local db in it. */
  readonly flushes: number;
}

/** Seconds the sparkline shows, and the history kept for it. */
export const RATE_WINDOW_SECONDS = 60;

/**
 * Adds `events` (oldest first) to per-second counts, keeping the last minute. Counted as events
 * arrive, beyond the event history: at 100 writes a second the history holds only a few seconds.
 * Returns `buckets` itself when nothing counted changed, so memoised pictures skip a redraw.
 */
export function countRates(buckets: readonly RateBucket[], events: readonly KalphiteEvent[]): readonly RateBucket[] {
  let next: RateBucket[] | null = null;
  for (const e of events) {
    const writes = e.type === 'store:changed' && e.origin === 'local' ? e.changes.length : 0;
    const flushes = e.type === 'flush:committed' ? 1 : 0;
    if (writes === 0 && flushes === 0) continue;
    next ??= [...buckets];
    const second = Math.floor(e.at / 1000);
    const last = next[next.length - 1];
    if (last && last.second === second) next[next.length - 1] = { second, writes: last.writes + writes, flushes: last.flushes + flushes };
    else if (!last || last.second < second) next.push({ second, writes, flushes });
    // Events arrive in clock order: one stamped in an earlier second (a clock stepped back) is not counted.
  }
  if (next === null) return buckets;
  const newest = next[next.length - 1]!.second;
  return next.filter((b) => b.second > newest - RATE_WINDOW_SECONDS);
}

/** The last `RATE_WINDOW_SECONDS` seconds up to `now`, oldest first, with the seconds nothing happened in as zeros. */
export function rateSeries(buckets: readonly RateBucket[], now: number): readonly RateBucket[] {
  const end = Math.floor(now / 1000);
  const bySecond = new Map(buckets.map((b) => [b.second, b]));
  return Array.from({ length: RATE_WINDOW_SECONDS }, (_, i) => {
    const second = end - RATE_WINDOW_SECONDS + 1 + i;
    return bySecond.get(second) ?? { second, writes: 0, flushes: 0 };
  });
}
