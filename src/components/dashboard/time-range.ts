import { bisectRight } from 'd3-array';

/** A window of time the dashboard shows, cut into buckets of equal length (a day is a calendar day). */
export interface TimeRange {
  readonly id: TimeRangeId;
  readonly label: string;
  readonly buckets: number;
  /** 'day' buckets follow the local calendar (a day with a clock change is 23 or 25 hours). */
  readonly bucket: { readonly ms: number } | 'day';
}

export type TimeRangeId = 'hour' | 'day' | 'week' | 'month';

const MINUTE = 60_000;

export const TIME_RANGES: readonly TimeRange[] = [
  { id: 'hour', label: 'Last hour', buckets: 12, bucket: { ms: 5 * MINUTE } },
  { id: 'day', label: 'Last 24 hours', buckets: 24, bucket: { ms: 60 * MINUTE } },
  { id: 'week', label: 'Last 7 days', buckets: 7, bucket: 'day' },
  { id: 'month', label: 'Last 30 days', buckets: 30, bucket: 'day' },
];

export function timeRange(id: TimeRangeId): TimeRange {
  return TIME_RANGES.find((range) => range.id === id)!;
}

/** The buckets' edges, oldest first: `buckets + 1` times, the last one at or just after `now`. */
export function bucketEdges(range: TimeRange, now: number): number[] {
  const edges: number[] = [];
  if (range.bucket === 'day') {
    const end = new Date(now);
    end.setHours(24, 0, 0, 0);
    for (let i = range.buckets; i >= 0; i--) {
      const edge = new Date(end);
      edge.setDate(end.getDate() - i);
      edges.push(edge.getTime());
    }
    return edges;
  }
  const { ms } = range.bucket;
  const end = Math.floor(now / ms) * ms + ms;
  for (let i = range.buckets; i >= 0; i--) edges.push(end - i * ms);
  return edges;
}

/** Which bucket a time falls in, or -1 outside them all. */
export function bucketOf(edges: readonly number[], at: number): number {
  const index = bisectRight(edges, at) - 1;
  return index >= 0 && index < edges.length - 1 ? index : -1;
}
