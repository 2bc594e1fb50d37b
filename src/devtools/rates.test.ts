import { describe, expect, it } from 'vitest';
import type { KalphiteEvent } from '../engine/index.js';
import { countRates, rateSeries, RATE_WINDOW_SECONDS } from './rates.js';

const wrote = (at: number, n: number, origin: 'local' | 'sync' = 'local') =>
  ({ type: 'store:changed', at, origin, changes: Array.from({ length: n }, (_, i) => ({ id: `e${i}` })) }) as unknown as KalphiteEvent;
const flushed = (at: number) => ({ type: 'flush:committed', at }) as unknown as KalphiteEvent;

describe('countRates', () => {
  it('counts local writes (entities) and flushes (batches) per second; pulled changes are not writes', () => {
    const buckets = countRates([], [wrote(1000, 3), wrote(1500, 2), flushed(1900), wrote(2100, 1, 'sync'), flushed(2200), wrote(4000, 1)]);
    expect(buckets).toEqual([
      { second: 1, writes: 5, flushes: 1 },
      { second: 2, writes: 0, flushes: 1 },
      { second: 4, writes: 1, flushes: 0 },
    ]);
  });

  it('keeps the last minute only, and returns the same array when nothing counted arrived', () => {
    const first = countRates([], [wrote(0, 1)]);
    expect(countRates(first, [{ type: 'sync:poke', at: 10 } as unknown as KalphiteEvent])).toBe(first);
    const later = countRates(first, [wrote(RATE_WINDOW_SECONDS * 1000 + 5, 1)]);
    expect(later.map((b) => b.second)).toEqual([RATE_WINDOW_SECONDS]);
  });

  it('rateSeries fills the seconds nothing happened in, ending at now', () => {
    const series = rateSeries([{ second: 100, writes: 4, flushes: 1 }], 101_500);
    expect(series).toHaveLength(RATE_WINDOW_SECONDS);
    expect(series.at(-1)).toEqual({ second: 101, writes: 0, flushes: 0 });
    expect(series.at(-2)).toEqual({ second: 100, writes: 4, flushes: 1 });
  });
});
