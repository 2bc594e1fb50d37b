import { useMemo, useSyncExternalStore } from 'react';
import type { Kalphite, KalphiteEvent } from '../../engine/index.js';
import { renderLog } from '../../react/render-log.js';
import { renderFanOut, type WriteRenders } from '../render-fan-out.js';
import type { EngineView } from '../use-inspection.js';

/** Writes listed; older ones stay in the log's window but off screen. */
const SHOWN_WRITES = 50;

type StoreChanged = Extract<KalphiteEvent, { type: 'store:changed' }>;

/**
 * Render fan-out per write: for each commit, which components its hooks re-rendered (from the
 * React bindings' development reports, `renderLog`), as a bar and a list, with the components that
 * re-render on every change marked — the ones to move to a narrower hook.
 */
export function RendersTab({ kalphite, view }: { kalphite: Kalphite; view: EngineView }) {
  const log = renderLog(kalphite);
  const reports = useSyncExternalStore(log.subscribe, () => log.reports, () => log.reports);
  const fanOut = useMemo(() => renderFanOut(reports), [reports]);
  const commits = useMemo(() => {
    const byVersion = new Map<number, StoreChanged>();
    for (const e of view.events) if (e.type === 'store:changed') byVersion.set(e.version, e);
    return byVersion;
  }, [view.events]);
  const writes = fanOut.writes.slice(0, SHOWN_WRITES);
  const most = Math.max(1, ...writes.map((w) => w.renders));
  if (writes.length === 0) {
    return (
      <p className="kalphite-muted" style={{ margin: 0 }}>
        {process.env.NODE_ENV === 'production'
          ? 'Render reports come from development builds: this build’s hooks do not report.'
          : 'No component has re-rendered for a write yet. Components calling Kalphite’s hooks report here in development builds.'}
      </p>
    );
  }
  return (
    <div className="kalphite-devtools-renders">
      <style href="kalphite-devtools-renders" precedence="default">
        {CSS}
      </style>
      <p style={{ margin: 0 }}>
        {fanOut.everyChange.length === 0 ? (
          <span className="kalphite-muted">No component re-renders on every change.</span>
        ) : (
          <>
            <span className="kalphite-devtools-every">Re-render on every change:</span> {fanOut.everyChange.map((name, i) => [i > 0 && ', ', <code key={name}>{name}</code>])}
          </>
        )}
      </p>
      <ol className="kalphite-devtools-writes" aria-label="Renders per write">
        {writes.map((write) => (
          <li key={write.version}>
            <WriteEntry write={write} commit={commits.get(write.version)} most={most} everyChange={fanOut.everyChange} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function WriteEntry({ write, commit, most, everyChange }: { write: WriteRenders; commit: StoreChanged | undefined; most: number; everyChange: readonly string[] }) {
  const count = write.components.length;
  const summary = `${count} ${count === 1 ? 'component' : 'components'}, ${write.renders} ${write.renders === 1 ? 'render' : 'renders'}`;
  return (
    <section aria-label={`Write ${write.version}: ${summary}`}>
      <h3 className="kalphite-devtools-write-title">
        <span>
          Write <strong>{write.version}</strong>
          {commit && <span className="kalphite-muted"> · {describeCommit(commit)}</span>}
        </span>
        <span className="kalphite-devtools-write-count">{summary}</span>
      </h3>
      <span className="kalphite-devtools-fan-bar" aria-hidden="true">
        <span style={{ width: `${(write.renders / most) * 100}%` }} />
      </span>
      <ul className="kalphite-devtools-fan-list">
        {write.components.map((c) => (
          <li key={c.component}>
            <code>{c.component}</code>
            {c.renders > 1 && <span> ×{c.renders}</span>}
            <span className="kalphite-muted"> {c.hooks.join(', ')}</span>
            {everyChange.includes(c.component) && <span className="kalphite-devtools-every-chip">every change</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function describeCommit(commit: StoreChanged): string {
  const changes = commit.changes.length + (commit.omitted ?? 0);
  const what = commit.tag ?? (commit.origin === 'local' ? 'a local write' : commit.origin === 'server' ? 'from the server' : 'from another tab');
  return `${what}, ${changes} ${changes === 1 ? 'entity' : 'entities'}`;
}

const CSS = `
.kalphite-devtools-renders { display: grid; gap: 8px; }
.kalphite-devtools-every { font-weight: 600; color: var(--kalphite-warning); }
.kalphite-devtools-writes { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.kalphite-devtools-write-title { display: flex; flex-wrap: wrap; gap: 2px 12px; justify-content: space-between; margin: 0; font-size: 13px; font-weight: 400; }
.kalphite-devtools-write-count { font-variant-numeric: tabular-nums; }
.kalphite-devtools-fan-bar { display: block; height: 6px; margin: 3px 0; border-radius: 3px; background: var(--kalphite-surface); box-shadow: inset 0 0 0 1px var(--kalphite-border); overflow: hidden; }
.kalphite-devtools-fan-bar > span { display: block; height: 100%; background: var(--kalphite-accent); }
.kalphite-devtools-fan-list { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; }
.kalphite-devtools-fan-list li { display: inline-flex; flex-wrap: wrap; gap: 0 4px; align-items: baseline; min-width: 0; overflow-wrap: anywhere; }
.kalphite-devtools-every-chip { font-size: 11px; padding: 0 6px; border-radius: 999px; border: 1px solid var(--kalphite-warning); color: var(--kalphite-warning); }
`;
