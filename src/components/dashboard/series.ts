import { bucketOf } from './time-range.js';

/** Counts per bucket for a few named series (stacked in a chart). */
export interface StackedSeries {
  /** Series keys, in legend and stacking order. */
  readonly keys: readonly string[];
  readonly buckets: readonly { readonly start: number; readonly end: number; readonly counts: Readonly<Record<string, number>>; readonly total: number }[];
}

/** Every series beyond the `maxKeys` largest is counted as `other`. */
export const OTHER = 'other';

/**
 * Counts `events` (a time and a series key) into the buckets between `edges`. With `keys`, the
 * series are those, in that order; otherwise the most frequent first, at most `maxKeys`, the rest
 * summed under `other`.
 */
export function stackEvents(events: Iterable<{ readonly at: number; readonly key: string }>, edges: readonly number[], { keys, maxKeys = 6 }: { keys?: readonly string[]; maxKeys?: number } = {}): StackedSeries {
  const inRange: { index: number; key: string }[] = [];
  const totals = new Map<string, number>();
  for (const event of events) {
    const index = bucketOf(edges, event.at);
    if (index < 0) continue;
    inRange.push({ index, key: event.key });
    totals.set(event.key, (totals.get(event.key) ?? 0) + 1);
  }
  const order = keys ? [...keys] : ranked(totals, maxKeys);
  const known = new Set(order);
  const buckets = edges.slice(0, -1).map((start, i) => ({ start, end: edges[i + 1]!, counts: Object.fromEntries(order.map((key) => [key, 0])) as Record<string, number>, total: 0 }));
  for (const { index, key } of inRange) {
    const series = known.has(key) ? key : known.has(OTHER) ? OTHER : null;
    if (series === null) continue;
    const bucket = buckets[index]!;
    bucket.counts[series]! += 1;
    bucket.total += 1;
  }
  return { keys: order, buckets };
}

/** The `maxKeys` most frequent keys, most frequent first (ties by name), with `other` last standing for the rest. */
export function rankKeys(keys: Iterable<string>, maxKeys = 6): string[] {
  const totals = new Map<string, number>();
  for (const key of keys) totals.set(key, (totals.get(key) ?? 0) + 1);
  return ranked(totals, maxKeys);
}

function ranked(totals: ReadonlyMap<string, number>, maxKeys: number): string[] {
  const order = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key);
  return order.length > maxKeys ? [...order.slice(0, maxKeys - 1), OTHER] : order;
}
