import { useMemo, useState } from 'react';
import type { ChangeLogEntry, Kalphite, JsonValue } from '../../engine/index.js';
import { diffEntities } from '../diff.js';
import { useChangeLog } from '../use-change-log.js';
import { VirtualList } from '../virtual-list.js';

/** Outbox rows (newest first) with whether the server acknowledged each, and a before/after diff. */
export function ChangeLogTab({ kalphite }: { kalphite: Kalphite }) {
  const { entries, error } = useChangeLog(kalphite);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  const needle = filter.trim().toLowerCase();
  const shown = useMemo(
    () => (needle === '' ? entries : entries.filter((e) => e.entityId.toLowerCase().includes(needle) || e.entityType.toLowerCase().includes(needle) || e.op === needle || String(e.mutationId) === needle)),
    [entries, needle],
  );
  const entry = entries.find((e) => e.mutationId === selected) ?? null;
  return (
    <div className="kalphite-devtools-split">
      <div>
        <label>
          Filter changes <input className="kalphite-input" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <p className="kalphite-muted" aria-live="polite">
          {shown.length} of {entries.length} changes · {entries.filter((e) => !e.acknowledged).length} not acknowledged
        </p>
        {error && <p role="alert">Could not read the change log: {error}</p>}
        <VirtualList
          items={shown}
          label="Changes"
          rowHeight={30}
          height={240}
          getKey={(e) => String(e.mutationId)}
          empty={<p className="kalphite-muted">{entries.length === 0 ? 'No local changes in the local db yet.' : 'No change matches the filter.'}</p>}
          renderRow={(e) => (
            <>
              <button type="button" className="kalphite-button" aria-pressed={selected === e.mutationId} onClick={() => setSelected(e.mutationId)}>
                #{e.mutationId} {e.op} {e.entityId}
              </button>
              <span className="kalphite-muted">
                {new Date(e.createdAt).toLocaleTimeString()} · {e.acknowledged ? 'acknowledged' : 'not acknowledged'}
              </span>
            </>
          )}
        />
      </div>
      <div>{entry ? <ChangeDiff entry={entry} /> : <p className="kalphite-muted">Select a change to see its diff.</p>}</div>
    </div>
  );
}

function ChangeDiff({ entry }: { entry: ChangeLogEntry }) {
  const lines = diffEntities(entry.before, entry.entity);
  return (
    <section aria-label={`Change #${entry.mutationId}`}>
      <h3 className="kalphite-heading">
        #{entry.mutationId}: {entry.op} <code>{entry.entityId}</code> ({entry.entityType})
      </h3>
      <p className="kalphite-muted">
        {entry.before === null ? 'created' : entry.entity === null ? 'deleted' : 'updated'} at {new Date(entry.createdAt).toLocaleTimeString()},{' '}
        {entry.acknowledged ? 'acknowledged by the server' : 'not acknowledged yet'}
      </p>
      {lines.length === 0 ? (
        <p className="kalphite-muted">No difference: the value was written unchanged.</p>
      ) : (
        <ul className="kalphite-devtools-diff" aria-label="Diff">
          {lines.map((line) => (
            <li key={line.path} className={`kalphite-devtools-${line.kind}`}>
              <code>{line.path}</code> {line.kind}: {line.kind !== 'added' && <del>{show(line.before)}</del>} {line.kind !== 'removed' && <ins>{show(line.after)}</ins>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const show = (value: JsonValue | undefined) => JSON.stringify(value);
