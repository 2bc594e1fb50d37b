import type { WriteJourney } from '../durability.js';
import { formatDuration, niceCeiling } from './format.js';

/** The stages of a write, each a bar from the moment it arrived there to the moment it moved on. */
const STAGES = [
  { key: 'memory', label: 'in memory' },
  { key: 'disk', label: 'in the local db' },
  { key: 'server', label: 'on the server, not acknowledged' },
] as const;

/** The axis never shrinks below this, nor grows past the longest finished journey or this. */
const MIN_SCALE_MS = 200;
const MAX_SCALE_MS = 30_000;

export interface WriteTimelineProps {
  /** Newest first (`traceDurability`). */
  readonly journeys: readonly WriteJourney[];
  /** The engine clock now: where an unfinished stage ends. */
  readonly now: number;
  /** Without sync a write's journey ends in the local db. */
  readonly syncs: boolean;
}

/**
 * One lane per write: bars for the time it spent in memory, in the local db and on the server
 * before the acknowledgement, from the write's own start on one shared scale, so a slow flush or a
 * long wait for a push stands out at once. The stage a write is in now is striped and grows until
 * it moves on; a lane longer than the scale runs off its end with the real times beside it.
 */
export function WriteTimeline({ journeys, now, syncs }: WriteTimelineProps) {
  const ends = journeys.map((j) => stops(j, syncs));
  const finished = ends.flatMap((s, i) => (s.done ? [s.last - journeys[i]!.memoryAt] : []));
  const longest = Math.max(MIN_SCALE_MS, ...finished, ...ends.map((s, i) => (s.done ? 0 : Math.min(now - journeys[i]!.memoryAt, MAX_SCALE_MS))));
  const scale = niceCeiling(Math.min(longest, MAX_SCALE_MS));
  // Ticks on round values: a 5 s axis by the second, a 1 s or 2 s one by quarters.
  const parts = String(scale).startsWith('5') ? 5 : 4;
  const ticks = Array.from({ length: parts + 1 }, (_, i) => i / parts);
  return (
    <div className="kalphite-devtools-timeline">
      <style href="kalphite-devtools-timeline" precedence="default">
        {CSS}
      </style>
      <p className="kalphite-devtools-timeline-legend">
        {STAGES.slice(0, syncs ? 3 : 1).map((stage) => (
          <span key={stage.key} className={`kalphite-devtools-stage-key kalphite-devtools-stage-${stage.key}`}>
            {stage.label}
          </span>
        ))}
        <span className="kalphite-devtools-stage-key kalphite-devtools-stage-done">{syncs ? 'acknowledged' : 'on disk'}</span>
        <span className="kalphite-devtools-stage-key kalphite-devtools-stage-now">still there</span>
      </p>
      <div className="kalphite-devtools-timeline-axis" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t} style={{ left: `${t * 100}%` }}>
            {t === 0 ? '0' : formatDuration(t * scale)}
          </span>
        ))}
      </div>
      <ol className="kalphite-devtools-lanes" aria-label="Write timeline">
        {journeys.map((journey, i) => (
          <Lane key={`${journey.id}-${journey.memoryAt}`} journey={journey} stopsAt={ends[i]!} now={now} scale={scale} syncs={syncs} />
        ))}
      </ol>
    </div>
  );
}

/** Where a journey's stages end: the times it reached the local db, the server, the acknowledgement. */
function stops(j: WriteJourney, syncs: boolean): { times: readonly (number | null)[]; done: boolean; last: number } {
  const times = syncs ? [j.diskAt, j.serverAt, j.acknowledgedAt] : [j.diskAt];
  const reached = times.filter((t): t is number => t !== null);
  return { times, done: times[times.length - 1] !== null, last: reached.length > 0 ? Math.max(...reached) : j.memoryAt };
}

function Lane({ journey, stopsAt, now, scale, syncs }: { journey: WriteJourney; stopsAt: ReturnType<typeof stops>; now: number; scale: number; syncs: boolean }) {
  const start = journey.memoryAt;
  const bars: { key: string; from: number; to: number; current: boolean }[] = [];
  let from = start;
  for (const [index, stage] of STAGES.slice(0, stopsAt.times.length).entries()) {
    const to = stopsAt.times[index] ?? null;
    // A stage skipped over (a pull that acknowledged before the push's answer) has no bar.
    if (to === null) {
      bars.push({ key: stage.key, from, to: now, current: true });
      break;
    }
    if (to > from || index === 0) bars.push({ key: stage.key, from, to, current: false });
    from = Math.max(from, to);
  }
  const pct = (t: number) => `${Math.min(100, ((t - start) / scale) * 100)}%`;
  const overflows = (stopsAt.done ? stopsAt.last : now) - start > scale;
  const times = [
    journey.diskAt !== null && `local db +${formatDuration(journey.diskAt - start)}${journey.mutationId === null ? '' : ` (#${journey.mutationId})`}`,
    syncs && journey.serverAt !== null && `server +${formatDuration(journey.serverAt - start)}`,
    syncs && journey.acknowledgedAt !== null && `acknowledged +${formatDuration(journey.acknowledgedAt - start)}`,
    !stopsAt.done && `waiting ${formatDuration(now - (stopsAt.last))} ${STAGES[stopsAt.times.findIndex((t) => t === null)]?.label ?? ''}`,
  ].filter(Boolean);
  return (
    <li className="kalphite-devtools-lane" data-done={stopsAt.done}>
      <span className="kalphite-devtools-lane-name">
        <code>{journey.id}</code> {journey.op === 'delete' && <span className="kalphite-muted">(delete)</span>}
        <span className="kalphite-muted kalphite-devtools-lane-at">{new Date(start).toLocaleTimeString()}</span>
      </span>
      <span className="kalphite-devtools-lane-track" aria-hidden="true">
        {bars.map((bar) => (
          <span
            key={bar.key}
            className={`kalphite-devtools-lane-bar kalphite-devtools-stage-${bar.key}${bar.current ? ' kalphite-devtools-stage-now' : ''}`}
            style={{ left: pct(bar.from), width: `calc(${pct(bar.to)} - ${pct(bar.from)})` }}
          />
        ))}
        {stopsAt.done && !overflows && <span className="kalphite-devtools-lane-tick" style={{ left: pct(stopsAt.last) }} />}
        {overflows && <span className="kalphite-devtools-lane-more">›</span>}
      </span>
      <span className="kalphite-devtools-lane-times">{times.join(' · ') || 'just written'}</span>
    </li>
  );
}

const CSS = `
.kalphite-devtools-timeline { display: grid; gap: 4px; container-type: inline-size; }
.kalphite-devtools-timeline-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 0; font-size: 12px; color: var(--kalphite-muted); }
.kalphite-devtools-stage-key::before { content: ''; display: inline-block; width: 12px; height: 8px; margin-right: 4px; border-radius: 2px; vertical-align: baseline; background: var(--kalphite-devtools-stage); }
.kalphite-devtools-stage-key.kalphite-devtools-stage-done::before { width: 2px; height: 12px; background: var(--kalphite-success); }
.kalphite-devtools-stage-memory { --kalphite-devtools-stage: var(--kalphite-warning); }
.kalphite-devtools-stage-disk { --kalphite-devtools-stage: var(--kalphite-accent); }
.kalphite-devtools-stage-server { --kalphite-devtools-stage: color-mix(in srgb, var(--kalphite-accent) 40%, var(--kalphite-success)); }
.kalphite-devtools-stage-now { --kalphite-devtools-stage: repeating-linear-gradient(135deg, var(--kalphite-muted) 0 3px, transparent 3px 6px); }
.kalphite-devtools-lane-bar.kalphite-devtools-stage-now { background: repeating-linear-gradient(135deg, var(--kalphite-devtools-bar) 0 3px, color-mix(in srgb, var(--kalphite-devtools-bar) 35%, transparent) 3px 6px); }
.kalphite-devtools-timeline-axis { position: relative; height: 16px; margin-left: var(--kalphite-devtools-lane-name, 13em); margin-right: var(--kalphite-devtools-lane-times, 23em); font-size: 11px; color: var(--kalphite-muted); border-bottom: 1px solid var(--kalphite-border); }
.kalphite-devtools-timeline-axis > span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.kalphite-devtools-timeline-axis > span:first-child { transform: none; }
.kalphite-devtools-timeline-axis > span:last-child { transform: translateX(-100%); }
.kalphite-devtools-lanes { list-style: none; margin: 0; padding: 0; display: grid; }
.kalphite-devtools-lane {
  display: grid; grid-template-columns: var(--kalphite-devtools-lane-name, 13em) minmax(0, 1fr) var(--kalphite-devtools-lane-times, 23em);
  align-items: center; min-height: 24px; border-bottom: 1px solid var(--kalphite-border); font-size: 12px;
}
.kalphite-devtools-lane-name { display: flex; gap: 6px; align-items: baseline; min-width: 0; padding-right: 8px; overflow-wrap: anywhere; }
.kalphite-devtools-lane-name code { font: var(--kalphite-mono); }
.kalphite-devtools-lane-at { margin-left: auto; font-size: 11px; white-space: nowrap; }
.kalphite-devtools-lane-track { position: relative; height: 12px; border-left: 1px solid var(--kalphite-border); }
.kalphite-devtools-lane-bar { position: absolute; top: 1px; bottom: 1px; min-width: 2px; border-radius: 2px; --kalphite-devtools-bar: var(--kalphite-muted); background: var(--kalphite-devtools-bar); }
.kalphite-devtools-lane-bar.kalphite-devtools-stage-memory { --kalphite-devtools-bar: var(--kalphite-warning); }
.kalphite-devtools-lane-bar.kalphite-devtools-stage-disk { --kalphite-devtools-bar: var(--kalphite-accent); }
.kalphite-devtools-lane-bar.kalphite-devtools-stage-server { --kalphite-devtools-bar: color-mix(in srgb, var(--kalphite-accent) 40%, var(--kalphite-success)); }
.kalphite-devtools-lane-tick { position: absolute; top: -2px; bottom: -2px; width: 2px; margin-left: 1px; background: var(--kalphite-success); }
.kalphite-devtools-lane-more { position: absolute; right: -2px; top: -5px; font-weight: 700; color: var(--kalphite-danger); }
.kalphite-devtools-lane-times { padding-left: 8px; color: var(--kalphite-muted); font-variant-numeric: tabular-nums; }
/* Wide enough: the times on one line beside the bars. */
@container (min-width: 900px) {
  .kalphite-devtools-lane, .kalphite-devtools-timeline-axis { --kalphite-devtools-lane-times: 36em; }
}
@container (max-width: 560px) {
  .kalphite-devtools-timeline-axis { margin: 0; }
  .kalphite-devtools-lane { grid-template-columns: minmax(0, 1fr); gap: 2px; padding: 4px 0; }
  .kalphite-devtools-lane-times { padding-left: 0; }
}
`;
