import { useMemo, useState } from 'react';
import type { ChangeLogEntry, Kalphite, KalphiteEventType } from '../../engine/index.js';
import { entityDiff } from '../diff.js';
import { SideBySideDiff } from '../pictures/index.js';
import { useEngineRead } from '../use-engine-read.js';
import { VirtualList } from '../virtual-list.js';

/** The newest outbox rows, read again whenever the outbox changes. */
const readChangeLog = (kalphite: Kalphite) => kalphite.changeLog({ limit: 500 });
const RELOAD_ON: ReadonlySet<KalphiteEventType> = new Set(['flush:committed', 'outbox:acknowledged', 'sync:refused', 'outbox:compacted', 'db:reset']);
const NO_ENTRIES: readonly ChangeLogEntry[] = [];

/** A change log row, its key and why the server refused it (null: it did not). */
interface Change {
  readonly entry: ChangeLogEntry;
  readonly key: string;
  readonly refusal: string | null;
}

/**
 * Outbox rows (newest first) with their space, whether the server acknowledged each or refused it
 * (and why), and its before and after side by side (one column in a narrow panel).
 */
export function ChangeLogTab({ kalphite, narrow }: { kalphite: Kalphite; narrow: boolean }) {
  const { value: entries, error } = useEngineRead(kalphite, readChangeLog, RELOAD_ON, NO_ENTRIES);
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
      <div className={`kalphite-devtools-filters${narrow ? ' kalphite-devtools-stacked' : ''}`}>
        <label>
          Filter changes <input className="kalphite-input" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <p className="kalphite-muted" aria-live="polite" style={{ margin: 0 }}>
          {shown.length} of {entries.length} changes · {entries.filter((e) => !e.acknowledged).length} not acknowledged{refused > 0 && ` · ${refused} refused`}
        </p>
        {error && <p role="alert">Could not read the change log: {error}</p>}
        <VirtualList
          items={shown}
          label="Changes"
          rowHeight={narrow ? 44 : 30}
          height={240}
          getKey={(c) => c.key}
          empty={<p className="kalphite-muted">{entries.length === 0 ? 'No local changes in the local db yet.' : 'No change matches the filter.'}</p>}
          renderRow={({ entry: e, key, refusal }) => (
            <>
              {/* In a narrow list the time gives way, not the change's name. */}
              <button type="button" className="kalphite-button" style={{ flexShrink: 0, maxWidth: '100%' }} aria-pressed={selected === key} onClick={() => setSelected(key)}>
                #{e.mutationId} {e.op} {e.entityId}
              </button>
              <span className={`kalphite-devtools-row-detail ${refusal === null ? 'kalphite-muted' : 'kalphite-status kalphite-status-changes_requested'}`}>
                {refusal === null ? `${e.space} · ${new Date(e.createdAt).toLocaleTimeString()} · ${state(e)}` : `refused: ${refusal}`}
              </span>
            </>
          )}
        />
      </div>
      <div>{change ? <ChangeDiff change={change} narrow={narrow} /> : <p className="kalphite-muted">Select a change to see its diff.</p>}</div>
    </div>
  );
}

/** Mutation ids count per client and space: together they name one change. */
const changeKey = (e: ChangeLogEntry) => `${e.space}\u0000${e.clientId}\u0000${e.mutationId}`;

const state = (e: ChangeLogEntry) => (e.op === 'discard' ? 'given up' : e.acknowledged ? 'acknowledged' : 'not acknowledged');

/** Why the server refused this change; a discard was given up by this client, and the server only acknowledged that. */
const refusalOf = (entry: ChangeLogEntry): string | null => (entry.op === 'discard' ? null : entry.refusal);

function ChangeDiff({ change: { entry, refusal }, narrow }: { change: Change; narrow: boolean }) {
  const heading = (
    <h2 className="kalphite-heading">
      #{entry.mutationId}: {entry.op} <code>{entry.entityId}</code> ({entry.entityType}) in <code>{entry.space}</code>
    </h2>
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
  const diff = entityDiff(entry.before, entry.entity);
  return (
    <section aria-label={`Change #${entry.mutationId}`}>
      {heading}
      <p className="kalphite-muted">
        {entry.before === null ? 'created' : entry.entity === null ? 'deleted' : 'updated'} at {at},{' '}
        {refusal !== null ? 'refused by the server' : entry.acknowledged ? 'acknowledged by the server' : 'not acknowledged yet'}
      </p>
      {refused}
      {diff.added + diff.removed === 0 ? (
        <p className="kalphite-muted">No difference: the value was written unchanged.</p>
      ) : (
        <>
          <p className="kalphite-muted" style={{ margin: '0 0 4px' }}>
            {diff.removed} {diff.removed === 1 ? 'line' : 'lines'} removed, {diff.added} added
          </p>
          <SideBySideDiff diff={diff} layout={narrow ? 'unified' : 'split'} label="Diff" />
        </>
      )}
    </section>
  );
}
