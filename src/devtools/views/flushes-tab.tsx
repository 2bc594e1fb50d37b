import { eventKey, type EngineView } from '../use-inspection.js';
import { VirtualList } from '../virtual-list.js';

/** Pending operations with the time until they flush, the batch in flight, recent batches and failures. */
export function FlushesTab({ view, now }: { view: EngineView; now: number }) {
  const { flush } = view.inspection;
  const batches = view.events.filter((e) => e.type === 'flush:committed' || e.type === 'flush:failed').slice(0, 20);
  return (
    <div style={{ display: 'grid', gap: 8 }}>
      <p>
        {flush.pending.length === 0 ? 'Nothing pending.' : `${flush.pending.length} pending`}
        {flush.dueAt !== null && ` · flushes in ${Math.max(0, flush.dueAt - now)} ms`}
        {flush.inFlight && ` · batch ${flush.inFlight.batchId} in flight (${flush.inFlight.size})`}
        {flush.failures > 0 && ` · ${flush.failures} failed attempt${flush.failures === 1 ? '' : 's'}, retrying`}
      </p>
      <VirtualList
        items={flush.pending}
        label="Pending flush operations"
        rowHeight={26}
        height={Math.min(160, Math.max(26, flush.pending.length * 26))}
        getKey={(p) => p.id}
        renderRow={(p) => (
          <>
            <code>{p.id}</code>
            <span className="kalphite-muted">{p.op}</span>
          </>
        )}
      />
      <h2 className="kalphite-heading">Recent batches</h2>
      <ul className="kalphite-feed" aria-label="Recent batches">
        {batches.map((e) =>
          e.type === 'flush:committed' ? (
            <li key={eventKey(e)}>
              <span>
                batch {e.batchId}: {e.size} written, in {new Set(e.spaces).size === 1 ? `space ${e.spaces[0]}` : `${new Set(e.spaces).size} spaces`}
              </span>
              <span className="kalphite-muted">{e.durationMs} ms</span>
            </li>
          ) : e.type === 'flush:failed' ? (
            <li key={eventKey(e)}>
              <span>
                batch {e.batchId} failed (attempt {e.attempt}): {e.error.message}
              </span>
            </li>
          ) : null,
        )}
      </ul>
    </div>
  );
}
