import { max as maxOf, nice, ticks as niceTicks } from 'd3-array';
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useWidth } from './use-width.js';

export interface ChartSeries {
  readonly key: string;
  readonly label: string;
  /** A CSS colour (the kit's series variables by default: `var(--kalphite-series-N)`). */
  readonly color: string;
}

export interface ChartBucket {
  /** The bucket's name on the axis and in the tooltip ("14:00", "Mon 23"). */
  readonly label: string;
  /** Its full name for the tooltip and for screen readers ("14:00–15:00"). */
  readonly title: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly total: number;
}

export interface BarChartProps {
  /** Names the chart (its figure's caption, and the group screen readers enter). */
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly buckets: readonly ChartBucket[];
  /** What is counted, for the tooltip and the description: one and many ("comment", "comments"). */
  readonly unit: { readonly one: string; readonly other: string };
  readonly locale?: string;
  /** Height of the plot in px (default 180). */
  readonly height?: number;
}

const MARGIN = { top: 8, right: 28, bottom: 24, left: 40 };
/** Room for one x-axis label: fewer are drawn when the chart is narrow. */
const LABEL_PX = 56;

/**
 * A stacked bar chart in SVG: a y axis with nice round values (d3-array's ticks), x labels thinned
 * to fit, a legend, and a tooltip for the bucket under the pointer or with keyboard focus (the
 * bars are one tab stop; arrow keys, Home and End move between buckets). Each bucket's name is its
 * full reading for screen readers, so the tooltip itself is only visual.
 */
export function BarChart({ title, series, buckets, unit, locale, height = 180 }: BarChartProps) {
  const frame = useRef<HTMLDivElement>(null);
  const width = useWidth(frame, 560);
  const [active, setActive] = useState<number | null>(null);
  const [focusIndex, setFocusIndex] = useState(buckets.length - 1);
  const titleId = useId();
  const numbers = useMemo(() => new Intl.NumberFormat(locale), [locale]);
  const plurals = useMemo(() => new Intl.PluralRules(locale), [locale]);
  const count = (n: number) => `${numbers.format(n)} ${plurals.select(n) === 'one' ? unit.one : unit.other}`;
  const top = Math.max(1, maxOf(buckets, (b) => b.total) ?? 0);
  // A round top value at or above the tallest bar, and whole-number ticks up to it.
  const tickCount = Math.max(2, Math.floor(height / 40));
  const yMax = Math.max(1, nice(0, top, tickCount)[1]);
  const yTicks = useMemo(() => niceTicks(0, yMax, tickCount).filter((t) => Number.isInteger(t)), [yMax, tickCount]);
  const plotWidth = Math.max(40, width - MARGIN.left - MARGIN.right);
  const step = plotWidth / Math.max(1, buckets.length);
  const barWidth = Math.max(2, Math.min(40, step * 0.7));
  const y = (value: number) => MARGIN.top + height - (value / yMax) * height;
  const labelEvery = Math.max(1, Math.ceil(LABEL_PX / step));
  const total = buckets.reduce((sum, b) => sum + b.total, 0);
  const describe = (bucket: ChartBucket) =>
    `${bucket.title}: ${count(bucket.total)}${bucket.total > 0 ? ` (${series.filter((s) => (bucket.counts[s.key] ?? 0) > 0).map((s) => `${s.label} ${numbers.format(bucket.counts[s.key]!)}`).join(', ')})` : ''}`;
  const current = focusIndex >= buckets.length ? buckets.length - 1 : focusIndex;
  const move = (event: KeyboardEvent<SVGGElement>, index: number) => {
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buckets.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const clamped = Math.min(buckets.length - 1, Math.max(0, next));
    setFocusIndex(clamped);
    setActive(clamped);
    frame.current?.querySelector<SVGGElement>(`[data-bucket="${clamped}"]`)?.focus();
  };
  const shown = active === null ? null : buckets[active];

  return (
    <figure className="kalphite-chart" aria-labelledby={titleId}>
      <figcaption id={titleId} className="kalphite-chart-title">
        {title} <span className="kalphite-muted">· {count(total)}</span>
      </figcaption>
      <ul className="kalphite-legend" aria-label={`${title}: legend`}>
        {series.map((s) => (
          <li key={s.key}>
            <span className="kalphite-legend-swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label}
          </li>
        ))}
      </ul>
      <div ref={frame} className="kalphite-chart-frame" onPointerLeave={() => setActive(null)}>
        <svg width={width} height={height + MARGIN.top + MARGIN.bottom} role="group" aria-label={`${title}, ${buckets.length} bars: use the arrow keys to read each`}>
          <g aria-hidden="true">
            {yTicks.map((tick) => (
              <g key={tick}>
                <line className={tick === 0 ? 'kalphite-chart-axis' : 'kalphite-chart-grid'} x1={MARGIN.left} x2={MARGIN.left + plotWidth} y1={y(tick)} y2={y(tick)} />
                <text className="kalphite-chart-label" x={MARGIN.left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
                  {numbers.format(tick)}
                </text>
              </g>
            ))}
            {/* The caption's count already says "0" to a screen reader; this says it in the plot. */}
            {total === 0 && (
              <text className="kalphite-chart-empty" x={MARGIN.left + plotWidth / 2} y={MARGIN.top + height / 2} textAnchor="middle">
                No {unit.other} in this range
              </text>
            )}
            {buckets.map((bucket, i) =>
              i % labelEvery === (buckets.length - 1) % labelEvery ? (
                <text key={i} className="kalphite-chart-label" x={MARGIN.left + step * (i + 0.5)} y={MARGIN.top + height + 16} textAnchor="middle">
                  {bucket.label}
                </text>
              ) : null,
            )}
          </g>
          {buckets.map((bucket, i) => {
            let base = 0;
            const x = MARGIN.left + step * i + (step - barWidth) / 2;
            return (
              <g
                key={i}
                data-bucket={i}
                className={`kalphite-chart-bucket${active === i ? ' kalphite-chart-bucket-active' : ''}`}
                role="img"
                aria-label={describe(bucket)}
                tabIndex={i === current ? 0 : -1}
                onPointerEnter={() => setActive(i)}
                onFocus={() => {
                  setActive(i);
                  setFocusIndex(i);
                }}
                onBlur={() => setActive(null)}
                onKeyDown={(event) => move(event, i)}
              >
                {/* The whole column answers the pointer, not only its bars. */}
                <rect className="kalphite-chart-hit" x={MARGIN.left + step * i} y={MARGIN.top} width={step} height={height} />
                {series.map((s) => {
                  const count = bucket.counts[s.key] ?? 0;
                  if (count === 0) return null;
                  const rect = <rect key={s.key} x={x} y={y(base + count)} width={barWidth} height={y(base) - y(base + count)} fill={s.color} />;
                  base += count;
                  return rect;
                })}
              </g>
            );
          })}
        </svg>
        {shown && active !== null && (
          <div
            className="kalphite-chart-tooltip"
            aria-hidden="true"
            style={{ left: Math.min(Math.max(0, MARGIN.left + step * (active + 0.5) - 80), Math.max(0, width - 160)), top: Math.max(0, y(shown.total) - 8) }}
          >
            <strong>{shown.title}</strong>
            <span>{count(shown.total)}</span>
            {series
              .filter((s) => (shown.counts[s.key] ?? 0) > 0)
              .map((s) => (
                <span key={s.key} className="kalphite-chart-tooltip-row">
                  <span className="kalphite-legend-swatch" style={{ background: s.color }} />
                  {s.label}: {numbers.format(shown.counts[s.key]!)}
                </span>
              ))}
          </div>
        )}
      </div>
    </figure>
  );
}
