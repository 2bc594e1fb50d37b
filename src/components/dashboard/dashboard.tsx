import { useId, useMemo } from 'react';
import type { Entity } from '../../engine/index.js';
import { useKalphite } from '../../react/index.js';
import { isComment, isReview, STATUS_LABEL } from '../code-review/index.js';
import { KalphiteStyles } from '../theme/styles.js';
import { relativeTime } from '../time.js';
import { useNow } from '../use-now.js';

export interface DashboardProps {
  /** What counts as recent activity (default 5 minutes). */
  readonly recentMs?: number;
  /** Items in the activity feed (default 8). */
  readonly feedSize?: number;
  /** A fixed clock for stories and tests; live otherwise. */
  readonly now?: number;
}

/** Stat cards, an activity chart and a feed over the store's comments and reviews. */
export function Dashboard({ recentMs = 5 * 60_000, feedSize = 8, now: fixedNow }: DashboardProps) {
  const now = useNow(fixedNow);
  const feedHeadingId = useId();
  const all = useKalphite((store) => store.getAll());
  const stats = useMemo(() => {
    let comments = 0;
    let reviews = 0;
    let pending = 0;
    let recent = 0;
    for (const entity of all) {
      if (isComment(entity)) comments++;
      else if (isReview(entity)) {
        reviews++;
        if (entity.data.status === 'pending') pending++;
      }
      if (entity.updatedAt !== undefined && now - entity.updatedAt < recentMs) recent++;
    }
    return { comments, reviews, pending, recent };
  }, [all, now, recentMs]);
  const feed = useMemo(
    () =>
      all
        .filter((e) => e.updatedAt !== undefined && (isComment(e) || isReview(e)))
        .sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0))
        .slice(0, feedSize),
    [all, feedSize],
  );

  return (
    <section className="kalphite kalphite-dashboard" aria-label="Review dashboard">
      <KalphiteStyles />
      <dl className="kalphite-stats">
        <StatCard title="Comments" value={stats.comments} />
        <StatCard title="Reviews" value={stats.reviews} />
        <StatCard title="Pending reviews" value={stats.pending} />
        <StatCard title="Recent activity" value={stats.recent} />
      </dl>
      <ActivityChart entities={all} now={now} />
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
                <span>{describe(entity)}</span>
                <span className="kalphite-muted">{relativeTime(entity.updatedAt ?? now, now)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}

export function StatCard({ title, value }: { readonly title: string; readonly value: number }) {
  return (
    <div className="kalphite-stat">
      <dt>{title}</dt>
      <dd>{value.toLocaleString()}</dd>
    </div>
  );
}

function describe(entity: Entity): string {
  if (isComment(entity)) return `${entity.data.authorId} commented on line ${entity.data.lineNumber} of ${entity.data.filePath}: “${entity.data.message}”`;
  if (isReview(entity)) return `Review “${entity.data.title}” is ${STATUS_LABEL[entity.data.status].toLowerCase()}`;
  return entity.id;
}

export interface ActivityChartProps {
  readonly entities: readonly Entity[];
  readonly now: number;
  /** Bars, oldest first (default 12). */
  readonly buckets?: number;
  /** Width of one bar's time window (default 5 minutes). */
  readonly bucketMs?: number;
}

/** An SVG bar chart of writes per time window, described in text for screen readers. */
export function ActivityChart({ entities, now, buckets = 12, bucketMs = 5 * 60_000 }: ActivityChartProps) {
  const counts = useMemo(() => {
    const result = new Array<number>(buckets).fill(0);
    for (const entity of entities) {
      if (entity.updatedAt === undefined) continue;
      const age = Math.floor((now - entity.updatedAt) / bucketMs);
      if (age >= 0 && age < buckets) result[buckets - 1 - age]! += 1;
    }
    return result;
  }, [entities, now, buckets, bucketMs]);
  const max = Math.max(1, ...counts);
  const width = 360;
  const height = 120;
  const bar = width / buckets;
  const total = counts.reduce((a, b) => a + b, 0);
  const minutes = Math.round((buckets * bucketMs) / 60_000);
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${width} ${height + 16}`} width="100%" role="img" aria-label={`Activity over the last ${minutes} minutes: ${total} changes, at most ${max} in ${Math.round(bucketMs / 60_000)} minutes.`}>
        <line className="kalphite-chart-axis" x1={0} y1={height} x2={width} y2={height} />
        {counts.map((count, i) => {
          const h = (count / max) * (height - 8);
          return <rect key={i} className="kalphite-chart-bar" x={i * bar + 2} y={height - h} width={bar - 4} height={h} rx={2} />;
        })}
        <text className="kalphite-chart-label" x={0} y={height + 12}>
          {minutes} min ago
        </text>
        <text className="kalphite-chart-label" x={width} y={height + 12} textAnchor="end">
          now
        </text>
      </svg>
      <figcaption className="kalphite-muted">Changes per {Math.round(bucketMs / 60_000)} minutes</figcaption>
    </figure>
  );
}
