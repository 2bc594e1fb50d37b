import type { KalphiteEvent } from '../../engine/index.js';
import { eventKey, type EngineView } from '../use-inspection.js';

const TIMELINE = new Set<KalphiteEvent['type']>(['sync:push-succeeded', 'sync:pull-succeeded', 'sync:poke-applied', 'sync:request-failed', 'sync:refused', 'sync:poke', 'sync:poke-failed']);

/** Versions, acknowledgements and the push/pull timeline with durations, sizes and errors. */
export function SyncTab({ view, now }: { view: EngineView; now: number }) {
  const sync = view.inspection.sync;
  if (!sync) return <p className="kalphite-muted">This engine has no syncUrl: it is local only.</p>;
  // Each space has its own version: the newest heard of each, from a poke or a pull's cookie.
  const serverVersions = [...view.serverVersions].sort(([a], [b]) => a.localeCompare(b));
  const timeline = view.events.filter((e) => TIMELINE.has(e.type)).slice(0, 50);
  return (
    <div style={{ display: 'grid', gap: 8 }}>
      <dl className="kalphite-stats">
        <Field name="Client" value={sync.clientId.slice(0, 8)} />
        <Field name="Local cookies" value={sync.spaces.map((s) => `${s.space} ${JSON.stringify(s.cookie)}`).join(', ') || '—'} />
        <Field name="Server versions" value={serverVersions.length === 0 ? 'not heard yet' : serverVersions.map(([space, version]) => `${space} ${version}`).join(', ')} />
        <Field name="Acknowledged up to" value={sync.spaces.map((s) => `${s.space} ${s.acknowledgedMutationId}`).join(', ') || '—'} />
        <Field name="Unacknowledged" value={String(sync.unacknowledged)} />
        <Field name="Poke stream" value={sync.poke} />
        <Field name="Next pull" value={sync.nextPullAt === null ? '—' : `in ${Math.max(0, Math.round((sync.nextPullAt - now) / 1000))} s`} />
      </dl>
      <h2 className="kalphite-heading">Timeline</h2>
      <ul className="kalphite-feed" aria-label="Sync timeline">
        {timeline.map((e) => (
          <li key={eventKey(e)}>
            <span>
              {e.type === 'sync:push-succeeded' && `push #${e.requestId}: ${e.mutations} mutations, ${e.bytes} B, up to ${e.lastMutationId}`}
              {e.type === 'sync:pull-succeeded' && `pull #${e.requestId}: ${JSON.stringify(e.cookieBefore)} → ${JSON.stringify(e.cookie)}, ${e.patchSize} ops, ${e.bytes} B${e.acknowledgedUpTo === null ? '' : `, acknowledged ${e.acknowledgedUpTo}`}`}
              {e.type === 'sync:poke-applied' && `poke landed without a pull: ${e.cookieBefore} → ${e.cookie}, ${e.patchSize} ops, ${e.bytes} B${e.acknowledgedUpTo === null ? '' : `, acknowledged ${e.acknowledgedUpTo}`}`}
              {e.type === 'sync:request-failed' && `${e.kind} #${e.requestId} failed: ${e.error.message} (${e.retryInMs === null ? 'stopped: retrying cannot fix it' : `retry in ${e.retryInMs} ms`})`}
              {e.type === 'sync:refused' && `refused #${e.mutationId}${e.clientId === sync.clientId ? '' : ` (client ${e.clientId.slice(0, 8)})`}: ${e.reason}`}
              {e.type === 'sync:poke' && `poke${e.version === null ? '' : ` (version ${e.version})`}`}
              {e.type === 'sync:poke-failed' && `poke stream failed: ${e.error.message} (${e.retryInMs === null ? 'stopped: retrying cannot fix it' : `reconnects in ${e.retryInMs} ms`})`}
            </span>
            <span className="kalphite-muted">{['space' in e && e.space, 'durationMs' in e && `${e.durationMs} ms`].filter(Boolean).join(' · ')}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Field({ name, value }: { name: string; value: string }) {
  return (
    <div className="kalphite-stat">
      <dt>{name}</dt>
      <dd style={{ fontSize: 16 }}>{value}</dd>
    </div>
  );
}
