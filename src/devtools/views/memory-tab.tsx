import { useMemo, useState } from 'react';
import type { Entity, Kalphite } from '../../engine/index.js';
import { useKalphite } from '../../react/index.js';
import { VirtualList } from '../virtual-list.js';

/** Writes from the panel carry this tag, so events and the change log show where they came from. */
export const DEVTOOLS_TAG = 'devtools';

/** A row of the list: a space's heading, or one of its entities. */
type Row = { readonly kind: 'space'; readonly space: string; readonly count: number } | { readonly kind: 'entity'; readonly entity: Entity };

/**
 * Entities grouped by space, then type, searchable and filterable by either, with a JSON view;
 * edits and deletes go through the store like any write.
 */
export function MemoryTab({ kalphite, filter, onFilter, narrow }: { kalphite: Kalphite; filter: string; onFilter: (filter: string) => void; narrow: boolean }) {
  const all = useKalphite((store) => store.getAll());
  const [selected, setSelected] = useState<string | null>(null);
  const [type, setType] = useState('');
  const [space, setSpace] = useState('');
  const needle = filter.trim().toLowerCase();
  const { defaultSpace } = kalphite.spaces;
  const matches = useMemo(
    () =>
      all
        .filter(
          (e) =>
            (type === '' || e.type === type) &&
            (space === '' || (e.space ?? defaultSpace) === space) &&
            (needle === '' || e.id.toLowerCase().includes(needle) || e.type.toLowerCase().includes(needle) || JSON.stringify(e.data).toLowerCase().includes(needle)),
        )
        .sort((a, b) => (a.space ?? defaultSpace).localeCompare(b.space ?? defaultSpace) || a.type.localeCompare(b.type) || a.id.localeCompare(b.id)),
    [all, needle, type, space, defaultSpace],
  );
  const rows = useMemo((): readonly Row[] => {
    const counts = countBy(matches, (e) => e.space ?? defaultSpace);
    // One space needs no headings: the list reads as before spaces.
    if (counts.length <= 1) return matches.map((entity) => ({ kind: 'entity', entity }));
    const out: Row[] = [];
    let current: string | null = null;
    for (const entity of matches) {
      const its = entity.space ?? defaultSpace;
      if (its !== current) {
        current = its;
        out.push({ kind: 'space', space: its, count: counts.find(([name]) => name === its)?.[1] ?? 0 });
      }
      out.push({ kind: 'entity', entity });
    }
    return out;
  }, [matches, defaultSpace]);
  const types = useMemo(() => countBy(all, (e) => e.type), [all]);
  const spaces = useMemo(() => countBy(all, (e) => e.space ?? defaultSpace), [all, defaultSpace]);
  const entity = selected === null ? null : kalphite.store.getById(selected);
  return (
    <div className="kalphite-devtools-split">
      <div className={`kalphite-devtools-filters${narrow ? ' kalphite-devtools-stacked' : ''}`}>
        <label>
          Search entities <input className="kalphite-input" type="search" value={filter} onChange={(e) => onFilter(e.target.value)} />
        </label>
        <label>
          Space{' '}
          <select className="kalphite-input" value={space} onChange={(e) => setSpace(e.target.value)}>
            <option value="">every space ({spaces.length})</option>
            {spaces.map(([name, n]) => (
              <option key={name} value={name}>
                {name} ({n.toLocaleString()})
              </option>
            ))}
          </select>
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
        <p className="kalphite-muted" aria-live="polite" style={{ margin: 0 }}>
          {matches.length.toLocaleString()} of {all.length.toLocaleString()} shown
        </p>
        <VirtualList
          items={rows}
          label="Entities"
          rowHeight={narrow ? 44 : 30}
          height={240}
          // A NUL cannot start an entity id, so a heading's key never meets one.
          getKey={(row) => (row.kind === 'space' ? `\u0000${row.space}` : row.entity.id)}
          empty={<p className="kalphite-muted">{all.length === 0 ? 'No entities in memory.' : 'No entity matches the search.'}</p>}
          renderRow={(row) =>
            row.kind === 'space' ? (
              <span className="kalphite-devtools-group">
                Space {row.space} · {row.count.toLocaleString()} {row.count === 1 ? 'entity' : 'entities'}
              </span>
            ) : (
              <>
                <button type="button" className="kalphite-button" title={row.entity.id} aria-pressed={selected === row.entity.id} onClick={() => setSelected(row.entity.id)}>
                  {row.entity.id}
                </button>
                <span className="kalphite-muted">{row.entity.type}</span>
              </>
            )
          }
        />
      </div>
      <div>
        {entity ? <EntityEditor key={entity.id} kalphite={kalphite} entity={entity} /> : <p className="kalphite-muted">Select an entity to see its JSON.</p>}
      </div>
    </div>
  );
}

/** How many of `items` have each key, sorted by key. */
function countBy<T>(items: readonly T[], key: (item: T) => string): readonly (readonly [string, number])[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

/** The JSON of one entity, editable: a save is an ordinary tagged write, so it flushes and syncs. */
function EntityEditor({ kalphite, entity }: { kalphite: Kalphite; entity: Entity }) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const json = JSON.stringify(entity, null, 2);
  const { store } = kalphite;
  // Bad JSON, or a write the store refuses (wrong id, not serialisable, a read-only space): nothing was written.
  const attempt = (write: () => void): boolean => {
    try {
      store.batch(write, { tag: DEVTOOLS_TAG });
      setError(null);
      return true;
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
      return false;
    }
  };
  const save = () => {
    if (attempt(() => store.entities.set(entity.id, JSON.parse(draft ?? json) as Entity))) setDraft(null);
  };
  if (draft === null) {
    return (
      <>
        <pre className="kalphite-json" aria-label={`JSON of ${entity.id}`}>
          {json}
        </pre>
        {error && <p role="alert">Not deleted: {error}</p>}
        <span className="kalphite-actions">
          <button
            type="button"
            className="kalphite-button"
            onClick={() => {
              setError(null);
              setDraft(json);
            }}
          >
            Edit {entity.id}
          </button>
          <button type="button" className="kalphite-button kalphite-button-danger" onClick={() => attempt(() => store.entities.delete(entity.id))}>
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
