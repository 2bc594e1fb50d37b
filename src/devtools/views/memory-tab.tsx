import { useMemo, useState } from 'react';
import type { Entity, Kalphite } from '../../engine/index.js';
import { useKalphite } from '../../react/index.js';
import { VirtualList } from '../virtual-list.js';

/** Writes from the panel carry this tag, so events and the change log show where they came from. */
export const DEVTOOLS_TAG = 'devtools';

/** Entities grouped by type, searchable, with a JSON view; edits and deletes go through the store like any write. */
export function MemoryTab({ kalphite, filter, onFilter }: { kalphite: Kalphite; filter: string; onFilter: (filter: string) => void }) {
  const all = useKalphite((store) => store.getAll());
  const [selected, setSelected] = useState<string | null>(null);
  const [type, setType] = useState('');
  const needle = filter.trim().toLowerCase();
  const matches = useMemo(
    () =>
      all
        .filter((e) => (type === '' || e.type === type) && (needle === '' || e.id.toLowerCase().includes(needle) || e.type.toLowerCase().includes(needle) || JSON.stringify(e.data).toLowerCase().includes(needle)))
        // Grouped by type, then by id.
        .sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id)),
    [all, needle, type],
  );
  const types = useMemo(() => {
    const counts = new Map<string, number>();
    for (const e of all) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => a.localeCompare(b));
  }, [all]);
  const entity = selected === null ? null : kalphite.store.getById(selected);
  return (
    <div className="kalphite-devtools-split">
      <div>
        <label>
          Search entities <input className="kalphite-input" type="search" value={filter} onChange={(e) => onFilter(e.target.value)} />
        </label>
        <label>
          Type{' '}
          <select className="kalphite-input" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">every type ({all.length.toLocaleString()})</option>
            {types.map(([name, n]) => (
              <option key={name} value={name}>
                {name} ({n.toLocaleString()})
              </option>
            ))}
          </select>
        </label>
        <p className="kalphite-muted" aria-live="polite">
          {matches.length.toLocaleString()} of {all.length.toLocaleString()} shown
        </p>
        <VirtualList
          items={matches}
          label="Entities"
          rowHeight={30}
          height={240}
          getKey={(e) => e.id}
          empty={<p className="kalphite-muted">{all.length === 0 ? 'No entities in memory.' : 'No entity matches the search.'}</p>}
          renderRow={(e) => (
            <>
              <button type="button" className="kalphite-button" aria-pressed={selected === e.id} onClick={() => setSelected(e.id)}>
                {e.id}
              </button>
              <span className="kalphite-muted">{e.type}</span>
            </>
          )}
        />
      </div>
      <div>
        {entity ? <EntityEditor key={entity.id} kalphite={kalphite} entity={entity} /> : <p className="kalphite-muted">Select an entity to see its JSON.</p>}
      </div>
    </div>
  );
}

/** The JSON of one entity, editable: a save is an ordinary tagged write, so it flushes and syncs. */
function EntityEditor({ kalphite, entity }: { kalphite: Kalphite; entity: Entity }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const json = JSON.stringify(entity, null, 2);
  const { store } = kalphite;
  const save = () => {
    try {
      const value = JSON.parse(draft ?? json) as Entity;
      store.batch(() => store.entities.set(entity.id, value), { tag: DEVTOOLS_TAG });
      setDraft(null);
      setError(null);
    } catch (reason) {
      // Bad JSON or an entity the store refuses (wrong id, not serialisable): nothing was written.
      setError(reason instanceof Error ? reason.message : String(reason));
    }
  };
  if (draft === null) {
    return (
      <>
        <pre className="kalphite-json" aria-label={`JSON of ${entity.id}`}>
          {json}
        </pre>
        <span className="kalphite-actions">
          <button type="button" className="kalphite-button" onClick={() => setDraft(json)}>
            Edit {entity.id}
          </button>
          <button type="button" className="kalphite-button kalphite-button-danger" onClick={() => store.batch(() => store.entities.delete(entity.id), { tag: DEVTOOLS_TAG })}>
            Delete {entity.id}
          </button>
        </span>
      </>
    );
  }
  return (
    <form
      className="kalphite-form"
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
    >
      <label>
        JSON of {entity.id}
        <textarea className="kalphite-input kalphite-devtools-editor" value={draft} onChange={(e) => setDraft(e.target.value)} aria-invalid={error !== null} spellCheck={false} />
      </label>
      {error && <p role="alert">Not saved: {error}</p>}
      <span className="kalphite-actions">
        <button type="submit" className="kalphite-button kalphite-button-primary">
          Save {entity.id}
        </button>
        <button
          type="button"
          className="kalphite-button"
          onClick={() => {
            setDraft(null);
            setError(null);
          }}
        >
          Cancel
        </button>
      </span>
    </form>
  );
}
