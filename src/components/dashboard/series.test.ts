import { describe, expect, it } from 'vitest';
import { OTHER, rankKeys, stackEvents } from './series.js';
import { bucketEdges, bucketOf, timeRange } from './time-range.js';

const NOW = Date.UTC(2026, 10, 26, 12, 3);

describe('time ranges', () => {
  it('cuts the last hour into 5-minute buckets ending just after now', () => {
    const edges = bucketEdges(timeRange('hour'), NOW);
    expect(edges).toHaveLength(13);
    expect(edges.at(-1)).toBe(Date.UTC(2026, 10, 26, 12, 5));
    expect(edges[0]).toBe(Date.UTC(2026, 10, 26, 11, 5));
    expect(bucketOf(edges, NOW)).toBe(11);
    expect(bucketOf(edges, edges[0]! - 1)).toBe(-1);
  });

  it('cuts a week into calendar days', () => {
    const edges = bucketEdges(timeRange('week'), NOW);
    expect(edges).toHaveLength(8);
    for (const edge of edges) expect(new Date(edge).getHours()).toBe(0);
    expect(bucketOf(edges, NOW)).toBe(6);
  });
});

describe('stackEvents', () => {
  const edges = [0, 10, 20, 30];
  it('counts events per bucket and series, the largest series first', () => {
    const stacked = stackEvents(
      [
        { at: 1, key: 'ada' },
        { at: 2, key: 'grace' },
        { at: 12, key: 'ada' },
        { at: 25, key: 'ada' },
        { at: 99, key: 'linus' },
      ],
      edges,
    );
    expect(stacked.keys).toEqual(['ada', 'grace']);
    expect(stacked.buckets.map((b) => [b.counts, b.total])).toEqual([
      [{ ada: 1, grace: 1 }, 2],
      [{ ada: 1, grace: 0 }, 1],
      [{ ada: 1, grace: 0 }, 1],
    ]);
  });

  it('sums the smaller series as other, and keeps given keys in their order', () => {
    const events = ['a', 'a', 'b', 'c', 'd'].map((key, i) => ({ at: i, key }));
    expect(stackEvents(events, edges, { maxKeys: 3 }).keys).toEqual(['a', 'b', OTHER]);
    expect(stackEvents(events, edges, { maxKeys: 3 }).buckets[0]!.counts).toEqual({ a: 2, b: 1, [OTHER]: 2 });
    expect(stackEvents(events, edges, { keys: ['d', 'a'] }).buckets[0]!.counts).toEqual({ d: 1, a: 2 });
    expect(rankKeys(['x', 'y', 'y', 'z', 'w'], 3)).toEqual(['y', 'w', OTHER]);
    expect(stackEvents(events, edges, { keys: ['a', OTHER] }).buckets[0]!.counts).toEqual({ a: 2, [OTHER]: 3 });
  });
});
