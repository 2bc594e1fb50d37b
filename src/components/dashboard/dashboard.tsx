import { useId, useMemo, useState } from 'react';
import type { Entity } from '../../engine/index.js';
import { useQuery } from '../../react/index.js';
import { BarChart, type ChartBucket, type ChartSeries } from '../chart/index.js';
import { isComment, type CommentEntity } from '../code-review/comments.js';
import { isReview, isVerdict, STATUS_LABEL, type ReviewEntity, type VerdictEntity } from '../code-review/reviews.js';
import { KalphiteStyles } from '../theme/styles.js';
import { relativeTime } from '../time.js';
import { useNow } from '../use-now.js';
import { OTHER, rankKeys, stackEvents, type StackedSeries } from './series.js';
import { bucketEdges, TIME_RANGES, timeRange, type TimeRange, type TimeRangeId } from './time-range.js';

export interface DashboardProps {
  /** What counts as recent activity (default 5 minutes). */
  readonly recentMs?: number;
  /** Items in the activity feed (default 8). */
  readonly feedSize?: number;
  /** A fixed clock for stories and tests; live otherwise. */
  readonly now?: number;
  /** The time range shown first (default the last 24 hours); a switch changes it. */
  readonly range?: TimeRangeId;
  /** Formats numbers and times (default: the browser's locale). */
  readonly locale?: string;
  /** Only this space's entities (default: every space in memory). */
  readonly space?: string;
}

const SERIES_COLORS = Array.from({ length: 8 }, (_, i) => `var(--kalphite-series-${i + 1})`);

/**
 * Stat cards, comments per author and review verdicts over a time range (a switch: hour, day,
 * week, month), and a feed, over the store's comments, reviews and verdicts. Numbers and times are
 * formatted for `locale`.
 */
export function Dashboard({ recentMs = 5 * 60_000, feedSize = 8, now: fixedNow, range: initialRange = 'day', locale, space }: DashboardProps) {
  const now = useNow(fixedNow);
  const feedHeadingId = useId();
  const [rangeId, setRangeId] = useState<TimeRangeId>(initialRange);
  const range = timeRange(rangeId);
  const comments = useGuarded(useQuery('comment', { space }), isComment);
  const reviews = useGuarded(useQuery('review', { space }), isReview);
  const verdicts = useGuarded(useQuery('verdict', { space }), isVerdict);
  const numbers = useMemo(() => new Intl.NumberFormat(locale), [locale]);
  const live = useMemo(() => comments.filter((c) => !c.data.deleted), [comments]);

  const stats = useMemo(() => {
    const recent = [...live, ...reviews, ...verdicts].filter((e) => e.updatedAt !== undefined && now - e.updatedAt < recentMs).length;
    return {
      comments: live.length,
      openThreads: live.filter((c) => c.data.parentId === undefined && !c.data.resolved).length,
      reviews: reviews.length,
      pending: reviews.filter((r) => r.data.status === 'pending').length,
      recent,
    };
  }, [live, reviews, verdicts, now, recentMs]);

  const edges = useMemo(() => bucketEdges(range, now), [range, now]);
  const labels = useMemo(() => bucketLabels(range, edges, locale), [range, edges, locale]);
  // Ranked over every comment, not the range's: an author keeps their colour when the range changes.
  const authors = useMemo(() => rankKeys(live.map((c) => c.data.authorId)), [live]);
  const perAuthor = useMemo(() => stackEvents(timed(live, (c) => c.data.authorId), edges, { keys: authors }), [live, edges, authors]);
  const perVerdict = useMemo(() => stackEvents(timed(verdicts, (v) => v.data.verdict), edges, { keys: ['approved', 'changes_requested'] }), [verdicts, edges]);
  const authorSeries: ChartSeries[] = perAuthor.keys.map((key, i) => ({ key, label: key === OTHER ? 'Others' : key, color: SERIES_COLORS[i % SERIES_COLORS.length]! }));
  const verdictSeries: ChartSeries[] = [
    { key: 'approved', label: STATUS_LABEL.approved, color: 'var(--kalphite-success)' },
    { key: 'changes_requested', label: STATUS_LABEL.changes_requested, color: 'var(--kalphite-danger)' },
  ];

  const feed = useMemo(
    () =>
      [...live, ...reviews, ...verdicts]
        .filter((e) => e.updatedAt !== undefined)
        .sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0))
        .slice(0, feedSize),
    [live, reviews, verdicts, feedSize],
  );
  const reviewTitle = useMemo(() => new Map(reviews.map((r) => [r.id, r.data.title])), [reviews]);

  return (
    <section className="kalphite kalphite-dashboard" aria-label="Review dashboard">
      <KalphiteStyles />
      <dl className="kalphite-stats">
        <StatCard title="Comments" value={stats.comments} locale={locale} />
        <StatCard title="Open threads" value={stats.openThreads} locale={locale} />
        <StatCard title="Reviews" value={stats.reviews} locale={locale} />
        <StatCard title="Pending reviews" value={stats.pending} locale={locale} />
        <StatCard title="Recent activity" value={stats.recent} locale={locale} />
      </dl>
      <div className="kalphite-toggle kalphite-range" role="group" aria-label="Time range">
        {TIME_RANGES.map((option) => (
          <button key={option.id} type="button" className="kalphite-button kalphite-button-small" aria-pressed={option.id === rangeId} onClick={() => setRangeId(option.id)}>
            {option.label}
          </button>
        ))}
      </div>
      <div className="kalphite-charts">
        <BarChart title={`Comments per author, ${range.label.toLowerCase()}`} unit={{ one: 'comment', other: 'comments' }} series={authorSeries} buckets={chartBuckets(perAuthor, labels)} {...(locale !== undefined && { locale })} />
        <BarChart title={`Review verdicts, ${range.label.toLowerCase()}`} unit={{ one: 'verdict', other: 'verdicts' }} series={verdictSeries} buckets={chartBuckets(perVerdict, labels)} {...(locale !== undefined && { locale })} />
      </div>
      <section aria-labelledby={feedHeadingId}>
        <h2 id={feedHeadingId} className="kalphite-heading">
          Activity
        </h2>
        {feed.length === 0 ? (
          <p className="kalphite-muted">Nothing has happened yet.</p>
        ) : (
          <ul className="kalphite-feed">
            {feed.map((entity) => (
              <li key={entity.id}>
                <span>{describe(entity, reviewTitle, numbers)}</span>
                <span className="kalphite-muted kalphite-feed-time">{relativeTime(entity.updatedAt ?? now, now)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}

export function StatCard({ title, value, locale }: { readonly title: string; readonly value: number; readonly locale?: string }) {
  return (
    <div className="kalphite-stat">
      <dt>{title}</dt>
      <dd>{value.toLocaleString(locale)}</dd>
    </div>
  );
}

/** A live query's rows that pass `guard` (data from the network is read defensively), checked again only when the rows change. */
function useGuarded<T extends Entity>(rows: readonly Entity[], guard: (entity: Entity) => entity is T): readonly T[] {
  return useMemo(() => rows.filter(guard), [rows, guard]);
}

function timed<T extends Entity>(entities: readonly T[], key: (entity: T) => string): { at: number; key: string }[] {
  return entities.flatMap((e) => (e.updatedAt === undefined ? [] : [{ at: e.updatedAt, key: key(e) }]));
}

function chartBuckets(stacked: StackedSeries, labels: readonly { label: string; title: string }[]): ChartBucket[] {
  return stacked.buckets.map((bucket, i) => ({ ...labels[i]!, counts: bucket.counts, total: bucket.total }));
}

/** Axis labels and full names for each bucket, in the reader's locale. */
function bucketLabels(range: TimeRange, edges: readonly number[], locale: string | undefined): { label: string; title: string }[] {
  const daily = range.bucket === 'day';
  const short = new Intl.DateTimeFormat(locale, daily ? (range.buckets > 7 ? { month: 'short', day: 'numeric' } : { weekday: 'short', day: 'numeric' }) : { hour: 'numeric', minute: '2-digit' });
  const long = new Intl.DateTimeFormat(locale, daily ? { weekday: 'long', month: 'long', day: 'numeric' } : { hour: 'numeric', minute: '2-digit' });
  // A window that crosses midnight names both days, briefly: "Dec 1, 11:00 PM – Dec 2, 12:00 AM".
  const dated = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  return edges.slice(0, -1).map((start, i) => {
    const end = edges[i + 1]!;
    const crossesMidnight = new Date(start).toDateString() !== new Date(end).toDateString();
    return { label: short.format(start), title: daily ? long.format(start) : (crossesMidnight ? dated : long).formatRange(start, end) };
  });
}

function describe(entity: Entity, reviewTitle: ReadonlyMap<string, string>, numbers: Intl.NumberFormat): string {
  if (isComment(entity)) {
    const c: CommentEntity = entity;
    const verb = c.data.parentId === undefined ? 'commented on' : 'replied on';
    return `${c.data.authorId} ${verb} line ${numbers.format(c.data.lineNumber)} of ${c.data.filePath}: “${c.data.message}”`;
  }
  if (isVerdict(entity)) {
    const v: VerdictEntity = entity;
    const title = reviewTitle.get(v.data.reviewId) ?? 'a review';
    return `${v.data.authorId} ${v.data.verdict === 'approved' ? 'approved' : 'requested changes on'} “${title}”`;
  }
  if (isReview(entity)) {
    const r: ReviewEntity = entity;
    return `Review “${r.data.title}” is ${STATUS_LABEL[r.data.status].toLowerCase()}`;
  }
  return entity.id;
}

export interface ActivityChartProps {
  readonly entities: readonly Entity[];
  readonly now: number;
  /** Bars, oldest first (default 12). */
  readonly buckets?: number;
  /** Width of one bar's time window (default 5 minutes). */
  readonly bucketMs?: number;
  readonly locale?: string;
}

/** Writes per time window, for any entities: one series. */
export function ActivityChart({ entities, now, buckets = 12, bucketMs = 5 * 60_000, locale }: ActivityChartProps) {
  const range: TimeRange = useMemo(() => ({ id: 'hour', label: `Last ${Math.round((buckets * bucketMs) / 60_000)} minutes`, buckets, bucket: { ms: bucketMs } }), [buckets, bucketMs]);
  const edges = useMemo(() => bucketEdges(range, now), [range, now]);
  const stacked = useMemo(() => stackEvents(timed(entities, () => 'changes'), edges, { keys: ['changes'] }), [entities, edges]);
  const labels = useMemo(() => bucketLabels(range, edges, locale), [range, edges, locale]);
  return (
    <BarChart
      title={`Activity over the last ${Math.round((buckets * bucketMs) / 60_000)} minutes`}
      unit={{ one: 'change', other: 'changes' }}
      series={[{ key: 'changes', label: 'Changes', color: SERIES_COLORS[0]! }]}
      buckets={chartBuckets(stacked, labels)}
      {...(locale !== undefined && { locale })}
    />
  );
}
