import { rateSeries, RATE_WINDOW_SECONDS, type RateBucket } from '../rates.js';

const WIDTH = RATE_WINDOW_SECONDS;
const HEIGHT = 20;

/**
 * Writes and flushes per second over the last minute: writes as a bar per second, flushes as a line
 * over them, each scaled to its own peak (a second with 100 writes and 2 flushes shows both
 * shapes); the numbers beside say the last whole second. One SVG, redrawn at most once a frame.
 */
export function ActivitySparkline({ rates, now }: { readonly rates: readonly RateBucket[]; readonly now: number }) {
  const series = rateSeries(rates, now);
  // The current second is still filling: the numbers read the last whole one.
  const last = series[series.length - 2] ?? { writes: 0, flushes: 0 };
  const peakWrites = Math.max(0, ...series.map((b) => b.writes));
  const peakFlushes = Math.max(0, ...series.map((b) => b.flushes));
  const label = `Writes and flushes per second over the last ${RATE_WINDOW_SECONDS} s: ${last.writes} writes and ${last.flushes} flushes in the last second; peaks ${peakWrites} writes and ${peakFlushes} flushes a second.`;
  return (
    <span className="kalphite-devtools-sparkline">
      <style href="kalphite-devtools-sparkline" precedence="default">
        {CSS}
      </style>
      <svg role="img" aria-label={label} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" width="120" height="28">
        <line className="kalphite-devtools-sparkline-base" x1="0" x2={WIDTH} y1={HEIGHT - 0.5} y2={HEIGHT - 0.5} />
        {series.map((b, i) => {
          const height = peakWrites === 0 ? 0 : Math.max(1, (b.writes / peakWrites) * (HEIGHT - 3));
          return height > 0 && <rect key={b.second} className="kalphite-devtools-sparkline-writes" x={i + 0.1} width={0.8} y={HEIGHT - 1 - height} height={height} />;
        })}
        <polyline className="kalphite-devtools-sparkline-flushes" points={points(series.map((b) => b.flushes), peakFlushes)} />
      </svg>
      <span className="kalphite-devtools-sparkline-legend" aria-hidden="true">
        <span className="kalphite-devtools-sparkline-key-writes">{last.writes.toLocaleString()} writes/s</span>
        <span className="kalphite-devtools-sparkline-key-flushes">{last.flushes.toLocaleString()} flushes/s</span>
      </span>
    </span>
  );
}

function points(values: readonly number[], peak: number): string {
  return values.map((v, i) => `${i + 0.5},${(HEIGHT - 1 - (peak === 0 ? 0 : (v / peak) * (HEIGHT - 3))).toFixed(2)}`).join(' ');
}

const CSS = `
.kalphite-devtools-sparkline { display: inline-flex; gap: 6px; align-items: center; }
.kalphite-devtools-sparkline svg { display: block; overflow: visible; }
.kalphite-devtools-sparkline polyline { fill: none; stroke-width: 1.5px; vector-effect: non-scaling-stroke; stroke-linejoin: round; }
.kalphite-devtools-sparkline-writes { fill: var(--kalphite-accent); }
.kalphite-devtools-sparkline-flushes { stroke: var(--kalphite-success); }
.kalphite-devtools-sparkline-base { stroke: var(--kalphite-border); stroke-width: 1px; vector-effect: non-scaling-stroke; }
.kalphite-devtools-sparkline-legend { display: grid; font-size: 11px; line-height: 1.25; color: var(--kalphite-muted); white-space: nowrap; }
.kalphite-devtools-sparkline-legend > span::before { content: ''; display: inline-block; width: 10px; margin-right: 4px; vertical-align: middle; }
.kalphite-devtools-sparkline-legend > .kalphite-devtools-sparkline-key-writes::before { height: 8px; background: var(--kalphite-accent); }
.kalphite-devtools-sparkline-legend > .kalphite-devtools-sparkline-key-flushes::before { height: 0; border-top: 2px solid var(--kalphite-success); }
`;
