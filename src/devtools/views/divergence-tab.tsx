import { useCallback, useEffect, useRef, useState } from 'react';
import type { DivergenceReport, DivergentIds, Kalphite, TypeDivergence } from '../../engine/index.js';
import type { EngineView } from '../use-inspection.js';

/** Ids listed per group of a drill-down; the rest are counted. */
const SHOWN_IDS = 200;

/**
 * States: checking (on opening, on a space chosen, on "Check again") → checked (the report) or
 * failed (the reason) · checked → drilling into one type (its ids) → its ids, or the failure.
 * A check's answer that arrives after another was asked for is dropped: only the newest shows.
 */
type Check = { readonly state: 'checking' } | { readonly state: 'checked'; readonly report: DivergenceReport; readonly at: number } | { readonly state: 'failed'; readonly error: string };
type Drill = { readonly type: string; readonly ids: DivergentIds | null; readonly error: string | null };

/**
 * The divergence check (`sync.checkDivergence`): for each entity type of a space, how many
 * entities memory and the server hold and whether their contents agree, from digests the server
 * computes — no entity is downloaded. A type that differs drills down to its ids.
 */
export function DivergenceTab({ kalphite, view }: { kalphite: Kalphite; view: EngineView }) {
  const { inspection } = view;
  const spaces = inspection.spaces.filter((s) => s.open).map((s) => s.id);
  const [space, setSpace] = useState(spaces.includes(inspection.defaultSpace) ? inspection.defaultSpace : (spaces[0] ?? inspection.defaultSpace));
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const [drill, setDrill] = useState<Drill | null>(null);
  const asked = useRef(0);
  const sync = kalphite.sync;

  const run = useCallback(
    (type?: string) => {
      if (!sync) return;
      const ticket = ++asked.current;
      if (type === undefined) {
        setCheck({ state: 'checking' });
        setDrill(null);
      } else setDrill({ type, ids: null, error: null });
      sync.checkDivergence(space, type).then(
        (report) => {
          if (ticket !== asked.current) return;
          setCheck({ state: 'checked', report, at: Date.now() });
          if (type !== undefined) setDrill({ type, ids: report.ids, error: null });
        },
        (reason: unknown) => {
          if (ticket !== asked.current) return;
          const error = describe(reason);
          if (type === undefined) setCheck({ state: 'failed', error });
          else setDrill({ type, ids: null, error });
        },
      );
    },
    [sync, space],
  );
  useEffect(() => run(), [run]);

  if (!sync) return <p className="kalphite-muted">This engine has no syncUrl: there is no server to compare memory with.</p>;
  const report = check.state === 'checked' ? check.report : null;
  return (
    <div className="kalphite-devtools-divergence">
      <style href="kalphite-devtools-divergence" precedence="default">
        {CSS}
      </style>
      <div className="kalphite-devtools-divergence-controls">
        <label>
          Space{' '}
          <select className="kalphite-devtools-select" value={space} onChange={(e) => setSpace(e.target.value)}>
            {[...new Set([...spaces, space])].map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="kalphite-button" onClick={() => run()} disabled={check.state === 'checking'}>
          Check again
        </button>
        <span role="status" className="kalphite-muted">
          {check.state === 'checking' ? 'Asking the server for its digests…' : check.state === 'checked' ? `Checked at ${new Date(check.at).toLocaleTimeString()}` : ''}
        </span>
      </div>
      {check.state === 'failed' && <p role="alert">Could not check: {check.error}</p>}
      {report && <Verdict report={report} />}
      {report && report.types.length > 0 && (
        // Focusable, so a table wider than a narrow dock scrolls from the keyboard too.
        <div className="kalphite-devtools-scroll" role="group" aria-label={`Types in ${report.space} (scrollable)`} tabIndex={0}>
          <table className="kalphite-table kalphite-devtools-divergence-types">
            <caption>
              Types in <code>{report.space}</code>
            </caption>
            <thead>
              <tr>
                <th scope="col">type</th>
                <th scope="col">here</th>
                <th scope="col">server</th>
                <th scope="col">contents</th>
                <th scope="col">
                  <span className="kalphite-visually-hidden">ids</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {report.types.map((type) => (
                <TypeRow key={type.type} type={type} largest={Math.max(1, ...report.types.flatMap((t) => [t.local, t.server]))} drilling={drill?.type === type.type} onDrill={() => run(type.type)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {drill && <DrillDown drill={drill} />}
    </div>
  );
}

function Verdict({ report }: { report: DivergenceReport }) {
  const differing = report.types.filter((t) => !t.agree);
  const entities = report.types.reduce((n, t) => n + t.server, 0);
  const behind = typeof report.cookie === 'number' ? report.serverVersion - report.cookie : null;
  const pending = differing.reduce((n, t) => n + t.pending, 0);
  return (
    <div className="kalphite-devtools-verdict" data-agree={report.agree}>
      <p>
        <span aria-hidden="true">{report.agree ? '✓ ' : '✗ '}</span>
        {report.types.length === 0
          ? `Nothing in ${report.space}, here or on the server.`
          : report.agree
            ? `Memory and the server agree: ${plural(report.types.length, 'type')}, ${plural(entities, 'entity', 'entities')}.`
            : `${differing.length} of ${plural(report.types.length, 'type')} ${differing.length === 1 ? 'differs' : 'differ'} between memory and the server.`}
      </p>
      <p className="kalphite-muted">
        The server is at version {report.serverVersion}; this client pulled up to {report.cookie === null ? 'nothing yet' : typeof report.cookie === 'number' ? report.cookie : `version ${report.cookie.order} (mid-pull)`}.
        {behind !== null && behind > 0 && ' It has changes not pulled yet: pull, then check again.'}
        {pending > 0 && ` ${plural(pending, 'local write')} on ${pending === 1 ? 'its way explains' : 'their way explain'} a difference until the server acknowledges ${pending === 1 ? 'it' : 'them'}.`}
      </p>
    </div>
  );
}

function TypeRow({ type, largest, drilling, onDrill }: { type: TypeDivergence; largest: number; drilling: boolean; onDrill: () => void }) {
  return (
    <tr data-agree={type.agree}>
      <th scope="row">
        <code>{type.type}</code>
      </th>
      <td>
        <Count value={type.local} largest={largest} />
      </td>
      <td>
        <Count value={type.server} largest={largest} />
      </td>
      <td>
        {type.agree ? (
          <span className="kalphite-status kalphite-status-approved">agree</span>
        ) : (
          <span className={`kalphite-status ${type.pending > 0 ? 'kalphite-status-pending' : 'kalphite-status-changes_requested'}`}>
            {type.pending > 0 ? `differ · ${type.pending} on the way` : 'differ'}
          </span>
        )}
      </td>
      <td>
        {!type.agree && (
          <button type="button" className="kalphite-button" aria-pressed={drilling} onClick={onDrill}>
            Which ids?
          </button>
        )}
      </td>
    </tr>
  );
}

/** A count with a bar beside it, on one scale for every cell, so a missing half reads at a glance. */
function Count({ value, largest }: { value: number; largest: number }) {
  return (
    <span className="kalphite-devtools-count">
      <span className="kalphite-devtools-count-value">{value.toLocaleString()}</span>
      <span className="kalphite-devtools-count-bar" aria-hidden="true">
        <span style={{ width: `${(value / largest) * 100}%` }} />
      </span>
    </span>
  );
}

function DrillDown({ drill }: { drill: Drill }) {
  const label = `Differing ${drill.type} ids`;
  if (drill.error) {
    return (
      <section aria-label={label}>
        <p role="alert">Could not list the {drill.type} ids: {drill.error}</p>
      </section>
    );
  }
  if (!drill.ids) {
    return (
      <section aria-label={label}>
        <p role="status" className="kalphite-muted">
          Comparing each {drill.type}’s hash with the server’s…
        </p>
      </section>
    );
  }
  const { missingLocally, missingOnServer, different, pending } = drill.ids;
  const onTheWay = new Set(pending);
  const groups = [
    { name: 'Only on the server', hint: 'not in memory here', ids: missingLocally },
    { name: 'Only here', hint: 'in memory, not on the server', ids: missingOnServer },
    { name: 'Different values', hint: 'on both, not equal', ids: different },
  ];
  return (
    <section aria-label={label} className="kalphite-devtools-drill">
      <h2 className="kalphite-heading">{label}</h2>
      {groups.every((g) => g.ids.length === 0) && <p className="kalphite-muted">No {drill.type} differs any more: the check found them equal this time.</p>}
      {groups
        .filter((g) => g.ids.length > 0)
        .map((group) => (
          <div key={group.name} className="kalphite-devtools-drill-group">
            <h3>
              {group.name} ({group.ids.length.toLocaleString()}) <span className="kalphite-muted">{group.hint}</span>
            </h3>
            <ul aria-label={group.name}>
              {group.ids.slice(0, SHOWN_IDS).map((id) => (
                <li key={id}>
                  <code>{id}</code>
                  {onTheWay.has(id) && <span className="kalphite-muted"> (a local write on its way)</span>}
                </li>
              ))}
            </ul>
            {group.ids.length > SHOWN_IDS && <p className="kalphite-muted">and {(group.ids.length - SHOWN_IDS).toLocaleString()} more</p>}
          </div>
        ))}
    </section>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

function describe(reason: unknown): string {
  const message = reason instanceof Error ? reason.message : String(reason);
  // A server from before the divergence check has no digest route.
  return / 404 /.test(message) ? `${message} (this server has no digest route: it predates the divergence check)` : message;
}

const CSS = `
.kalphite-devtools-divergence { display: grid; gap: var(--kalphite-space); }
.kalphite-devtools-divergence-controls { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; }
.kalphite-devtools-verdict { padding: 6px 10px; border-left: 4px solid var(--kalphite-success); background: var(--kalphite-surface); border-radius: 0 var(--kalphite-radius) var(--kalphite-radius) 0; }
.kalphite-devtools-verdict[data-agree="false"] { border-left-color: var(--kalphite-danger); }
.kalphite-devtools-verdict p { margin: 0; }
.kalphite-devtools-verdict p:first-child { font-weight: 600; }
.kalphite-devtools-verdict p + p { font-size: 12px; }
.kalphite-devtools-divergence-types { width: auto; min-width: min(100%, 34em); }
.kalphite-devtools-divergence-types th[scope="row"] code { font: var(--kalphite-mono); }
.kalphite-devtools-divergence-types tr[data-agree="false"] th { box-shadow: inset 3px 0 0 var(--kalphite-danger); padding-left: 10px; }
.kalphite-devtools-count { display: inline-flex; gap: 6px; align-items: center; font-variant-numeric: tabular-nums; }
.kalphite-devtools-count-value { min-width: 3ch; text-align: right; }
.kalphite-devtools-count-bar { display: inline-block; width: 64px; height: 6px; border-radius: 3px; background: var(--kalphite-surface); box-shadow: inset 0 0 0 1px var(--kalphite-border); overflow: hidden; }
.kalphite-devtools-count-bar > span { display: block; height: 100%; background: var(--kalphite-accent); }
.kalphite-devtools-drill h3 { margin: 6px 0 2px; font-size: 13px; }
.kalphite-devtools-drill ul { margin: 0; padding-left: 1.2em; }
.kalphite-devtools-drill code { font: var(--kalphite-mono); overflow-wrap: anywhere; }
@container kalphite-devtools (max-width: 360px) {
  .kalphite-devtools-count-bar { display: none; }
  .kalphite-devtools-divergence-types th, .kalphite-devtools-divergence-types td { padding: 4px; }
}
`;
