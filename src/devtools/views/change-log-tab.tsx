import { useMemo, useState } from 'react';
import type { ChangeLogEntry, Kalphite, JsonValue } from '../../engine/index.js';
import { diffEntities } from '../diff.js';
import { useChangeLog } from '../use-change-log.js';
import { VirtualList } from '../virtual-list.js';

/** A change log row, its key and why the server refused it (null: it did not). */
interface Change {
  readonly entry: ChangeLogEntry;
  readonly key: string;
  readonly refusal: string | null;
}

/**
 * Outbox rows (newest first) with their space, whether the server acknowledged each or refused it
 * (and why), and a before/after diff.
 */
export function ChangeLogTab({ kalphite }: { kalphite: Kalphite }) {
  const { entries, error } = useChangeLog(kalphite);
  const [filter, setFilter] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const changes = useMemo(() => entries.map((entry): Change => ({ entry, key: changeKey(entry), refusal: refusalOf(entry) })), [entries]);
  const needle = filter.trim().toLowerCase();
  const shown = useMemo(
    () =>
      needle === ''
        ? changes
        : changes.filter(({ entry: e, refusal }) =>
            e.entityId.toLowerCase().includes(needle) ||
            e.entityType.toLowerCase().includes(needle) ||
            e.space.toLowerCase().includes(needle) ||
            e.op === needle ||
            String(e.mutationId) === needle ||
            (needle === 'refused' && refusal !== null),
          ),
    [changes, needle],
  );
  const change = changes.find((c) => c.key === selected) ?? null;
  const refused = changes.filter((c) => c.refusal !== null).length;
  return (
    <div className="kalphite-devtools-split">
      <div>
        <label>
          Filter changes <input className="kalphite-input" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <p className="kalphite-muted" aria-live="polite">
          {shown.length} of {entries.length} changes · {entries.filter((e) => !e.acknowledged).length} not acknowledged{refused > 0 && ` · ${refused} refused`}
        </p>
        {error && <p role="alert">Could not read the change log: {error}</p>}
        <VirtualList
          items={shown}
          label="Changes"
          rowHeight={30}
          height={240}
          getKey={(c) => c.key}
          empty={<p className="kalphite-muted">{entries.length === 0 ? 'No local changes in the local db yet.' : 'No change matches the filter.'}</p>}
          renderRow={({ entry: e, key, refusal }) => (
            <>
              {/* In a narrow list the time gives way, not the change's name. */}
              <button type="button" className="kalphite-button" style={{ flexShrink: 0, maxWidth: '100%' }} aria-pressed={selected === key} onClick={() => setSelected(key)}>
                #{e.mutationId} {e.op} {e.entityId}
              </button>
              <span className={refusal === null ? 'kalphite-muted' : 'kalphite-status kalphite-status-changes_requested'} style={{ marginLeft: 'auto', overflow: 'hidden', textOverflow: 'ellipsis' }}>
                {refusal === null ? `${e.space} · ${new Date(e.createdAt).toLocaleTimeString()} · ${state(e)}` : `refused: ${refusal}`}
              </span>
            </>
          )}
        />
      </div>
      <div>{change ? <ChangeDiff change={change} /> : <p className="kalphite-muted">Select a change to see its diff.</p>}</div>
    </div>
  );
}

/** Mutation ids count per client and space: together they name one change. */
const changeKey = (e: ChangeLogEntry) => `${e.space}\u0000${e.clientId}\u0000${e.mutationId}`;

const state = (e: ChangeLogEntry) => (e.op === 'discard' ? 'given up' : e.acknowledged ? 'acknowledged' : 'not acknowledged');

/** Why the server refused this change; a discard was given up by this client, and the server only acknowledged that. */
const refusalOf = (entry: ChangeLogEntry): string | null => (entry.op === 'discard' ? null : entry.refusal);

function ChangeDiff({ change: { entry, refusal } }: { change: Change }) {
  const heading = (
    <h3 className="kalphite-heading">
      #{entry.mutationId}: {entry.op} <code>{entry.entityId}</code> ({entry.entityType}) in <code>{entry.space}</code>
    </h3>
  );
  const at = new Date(entry.createdAt).toLocaleTimeString();
  const refused = refusal !== null && (
    <p className="kalphite-devtools-refused">
      Refused by the server: {refusal} Nothing changed there; the server’s value replaced this one in memory.
    </p>
  );
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
        {refusal !== null ? 'refused by the server' : entry.acknowledged ? 'acknowledged by the server' : 'not acknowledged yet'}
      </p>
      {refused}
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
