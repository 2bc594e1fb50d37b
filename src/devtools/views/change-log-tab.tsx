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
              {/* In a narrow list the time gives way, not the change's name. */}
              <button type="button" className="kalphite-button" style={{ flexShrink: 0, maxWidth: '100%' }} aria-pressed={selected === e.mutationId} onClick={() => setSelected(e.mutationId)}>
                #{e.mutationId} {e.op} {e.entityId}
              </button>
              <span className="kalphite-muted" style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>
                {new Date(e.createdAt).toLocaleTimeString()} · {e.op === 'discard' ? 'given up' : e.acknowledged ? 'acknowledged' : 'not acknowledged'}
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
  const heading = (
    <h3 className="kalphite-heading">
      #{entry.mutationId}: {entry.op} <code>{entry.entityId}</code> ({entry.entityType})
    </h3>
  );
  const at = new Date(entry.createdAt).toLocaleTimeString();
  // A discard is a write given up after the server refused it: no value of its own to compare.
  if (entry.op === 'discard') {
    return (
      <section aria-label={`Change #${entry.mutationId}`}>
        {heading}
        <p className="kalphite-muted">
          Written at {at}, then given up:{' '}
          {entry.acknowledged ? 'the server acknowledged it without applying it and kept what it had.' : 'sent as a discard, which the server will acknowledge without applying it.'}
        </p>
      </section>
    );
  }
  const lines = diffEntities(entry.before, entry.entity);
  return (
    <section aria-label={`Change #${entry.mutationId}`}>
      {heading}
      <p className="kalphite-muted">
        {entry.before === null ? 'created' : entry.entity === null ? 'deleted' : 'updated'} at {at},{' '}
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
