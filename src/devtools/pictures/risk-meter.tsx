import type { WritesAtRisk } from '../write-risk.js';

/**
 * The data at risk as a meter: writes only in memory (red) and writes in the local db the server
 * has not acknowledged (amber), on a scale that grows in powers of ten so 3 and 3,000 both read.
 * The whole meter turns red when the writes are stuck (`WritesAtRisk.stuck`).
 */
export function RiskMeter({ risk, syncs }: { readonly risk: WritesAtRisk; readonly syncs: boolean }) {
  const onDiskOnly = syncs ? risk.notOnServer - risk.notOnDisk : 0;
  const max = Math.max(10, 10 ** Math.ceil(Math.log10(risk.total + 1)));
  const text = risk.total === 0 ? 'nothing at risk' : syncs ? `at risk: ${risk.notOnDisk} not on disk, ${risk.notOnServer} not on the server` : `at risk: ${risk.notOnDisk} not on disk`;
  const state = risk.total === 0 ? 'safe' : risk.stuck ? 'stuck' : 'moving';
  return (
    <span
      className="kalphite-devtools-meter"
      data-state={state}
      role="meter"
      aria-label="Data at risk"
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={risk.total}
      aria-valuetext={risk.stuck ? `${text}: ${risk.stuck}` : text}
    >
      <style href="kalphite-devtools-meter" precedence="default">
        {CSS}
      </style>
      <span className="kalphite-devtools-meter-bar" aria-hidden="true">
        <span className="kalphite-devtools-meter-memory" style={{ width: `${(risk.notOnDisk / max) * 100}%` }} />
        <span className="kalphite-devtools-meter-disk" style={{ width: `${(onDiskOnly / max) * 100}%` }} />
      </span>
      <span className="kalphite-devtools-meter-text">{text}</span>
    </span>
  );
}

const CSS = `
.kalphite-devtools-meter { display: inline-flex; gap: 6px; align-items: center; min-width: 0; font-size: 12px; }
.kalphite-devtools-meter-bar { flex: none; }
.kalphite-devtools-meter-bar { display: inline-flex; width: 64px; height: 8px; border-radius: 4px; overflow: hidden; background: var(--kalphite-surface); box-shadow: inset 0 0 0 1px var(--kalphite-border); }
.kalphite-devtools-meter-bar > span { display: block; height: 100%; min-width: 0; }
.kalphite-devtools-meter-bar > span[style*="width: 0%"] { display: none; }
.kalphite-devtools-meter-memory { background: var(--kalphite-danger); }
.kalphite-devtools-meter-disk { background: var(--kalphite-warning); }
.kalphite-devtools-meter[data-state="safe"] .kalphite-devtools-meter-text { color: var(--kalphite-muted); }
.kalphite-devtools-meter[data-state="moving"] .kalphite-devtools-meter-text { color: var(--kalphite-warning); }
.kalphite-devtools-meter[data-state="stuck"] .kalphite-devtools-meter-text { color: var(--kalphite-danger); font-weight: 600; }
`;
