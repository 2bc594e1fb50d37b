import type { KalphiteEvent } from '../../engine/index.js';
import { eventKey, type EngineView } from '../use-inspection.js';
import { VirtualList } from '../virtual-list.js';

/** Every engine event, newest first (two lines a row in a narrow panel). */
export function EventsTab({ view, narrow }: { view: EngineView; narrow: boolean }) {
  return (
    <div className={narrow ? 'kalphite-devtools-stacked' : undefined}>
      <VirtualList
        items={view.events}
        label="Events"
        rowHeight={narrow ? 40 : 26}
        height={260}
        getKey={eventKey}
        empty={<p className="kalphite-muted">No events yet.</p>}
        renderRow={(e) => (
          <>
            <span>
              <code>{e.type}</code> {summary(e)}
            </span>
            <span className="kalphite-muted">{new Date(e.at).toLocaleTimeString()}</span>
          </>
        )}
      />
    </div>
  );
}

function summary(e: KalphiteEvent): string {
  switch (e.type) {
    case 'store:changed':
      return `${e.origin}${e.tag ? ` (${e.tag})` : ''}: ${e.changes.length} change${e.changes.length === 1 ? '' : 's'}`;
    case 'flush:committed':
      return `${e.size} in ${e.durationMs} ms`;
    case 'flush:failed':
    case 'sync:request-failed':
    case 'sync:poke-failed':
    case 'tabs:takeover-failed':
    case 'tabs:incompatible':
      return e.error.message;
    case 'sync:refused':
      return `#${e.mutationId}: ${e.reason}`;
    case 'tabs:message-refused':
      return `a message from another tab failed its shape check (${e.refused} so far)`;
    case 'sync:push-succeeded':
      return `${e.mutations} mutations`;
    case 'sync:pull-succeeded':
      return `${JSON.stringify(e.cookieBefore)} → ${JSON.stringify(e.cookie)}`;
    case 'sync:poke-applied':
      return `${e.cookieBefore} → ${e.cookie}, ${e.patchSize} ops, no pull`;
    case 'db:reset':
      return `new client, ${e.droppedChanges} changes dropped`;
    default:
      return '';
  }
}
