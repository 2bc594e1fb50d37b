import { useState, useSyncExternalStore } from 'react';
import type { Kalphite, OverwrittenWrite } from '../../engine/index.js';
import { entityDiff } from '../diff.js';
import { SideBySideDiff } from '../pictures/index.js';

const REASONS: Record<OverwrittenWrite['reason'], string> = {
  refused: 'The server refused it',
  overwritten: 'A later edit of the same field won (server order)',
  deleted: 'The entity was deleted',
};

/**
 * The ledger: each local write the server's value replaced — refused, a same-field edit that lost,
 * a delete that won — newest first, with my value against the server's and a way to write mine again.
 */
export function OverwrittenTab({ kalphite, narrow }: { kalphite: Kalphite; narrow: boolean }) {
  const writes = useSyncExternalStore(
    (onChange) => kalphite.subscribe((event) => event.type === 'sync:overwritten' && onChange()),
    () => kalphite.overwritten(),
    () => kalphite.overwritten(),
  );
  const [outcome, setOutcome] = useState<string | null>(null);
  // Re-applying drops the entry from the ledger: render again.
  const [, setRound] = useState(0);
  const newestFirst = [...writes].reverse();
  return (
    <div style={{ display: 'grid', gap: 8 }}>
      <p className="kalphite-muted" style={{ margin: 0 }}>
        {writes.length === 0 ? 'No write of this tab has been overwritten by the server.' : `${writes.length} of this engine’s writes were replaced by the server’s value.`}
      </p>
      {outcome && (
        <p role="status" style={{ margin: 0 }}>
          {outcome}
        </p>
      )}
      <ol className="kalphite-devtools-ledger" style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 12 }}>
        {newestFirst.map((write) => (
          <li key={`${write.space} ${write.id} ${write.at}`}>
            <OverwrittenEntry
              write={write}
              narrow={narrow}
              onReapply={() => {
                const result = kalphite.reapply(write);
                setOutcome(result.done ? `Wrote your value of ${write.id} again.` : `Could not re-apply ${write.id}: ${result.message}`);
                setRound((n) => n + 1);
              }}
            />
          </li>
        ))}
      </ol>
    </div>
  );
}

function OverwrittenEntry({ write, narrow, onReapply }: { write: OverwrittenWrite; narrow: boolean; onReapply: () => void }) {
  const diff = entityDiff(write.mine, write.server);
  const canReapply = write.server !== null || write.mine === null;
  return (
    <section aria-label={`Overwritten: ${write.id}`}>
      <h3 className="kalphite-heading">
        <code>{write.id}</code> ({write.type}) in <code>{write.space}</code>
      </h3>
      <p className="kalphite-muted" style={{ margin: '0 0 4px' }}>
        {REASONS[write.reason]}
        {write.refusal !== null && `: ${write.refusal}`} · at {new Date(write.at).toLocaleTimeString()}
        {write.fields !== null && write.fields.length > 0 && ` · ${write.fields.length === 1 ? 'field' : 'fields'}: ${write.fields.join(', ')}`}
      </p>
      <SideBySideDiff diff={diff} layout={narrow ? 'unified' : 'split'} label={`Mine against the server’s, ${write.id}`} />
      <div className="kalphite-actions">
        <button type="button" className="kalphite-button" onClick={onReapply} disabled={!canReapply} title={canReapply ? undefined : 'A deleted entity does not come back.'}>
          Re-apply mine
        </button>
      </div>
    </section>
  );
}
