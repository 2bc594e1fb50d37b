import { useMemo, useState } from 'react';
import type { Kalphite } from '../../engine/index.js';
import { useKalphite } from '../../react/index.js';

const SHOWN = 200;

/** Entities grouped by type, searchable, with a JSON view; deletes go through the store like any write. */
export function MemoryTab({ kalphite, filter, onFilter }: { kalphite: Kalphite; filter: string; onFilter: (filter: string) => void }) {
  const all = useKalphite((store) => store.getAll());
  const [selected, setSelected] = useState<string | null>(null);
  const needle = filter.trim().toLowerCase();
  const matches = useMemo(
    () => (needle === '' ? all : all.filter((e) => e.id.toLowerCase().includes(needle) || e.type.toLowerCase().includes(needle) || JSON.stringify(e.data).toLowerCase().includes(needle))),
    [all, needle],
  );
  const byType = useMemo(() => {
    const counts = new Map<string, number>();
    for (const e of matches) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => a.localeCompare(b));
  }, [matches]);
  const entity = selected === null ? null : kalphite.store.getById(selected);
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: 8 }}>
      <div>
        <label>
          Search entities <input className="kalphite-input" type="search" value={filter} onChange={(e) => onFilter(e.target.value)} />
        </label>
        <p className="kalphite-muted">
          {matches.length.toLocaleString()} of {all.length.toLocaleString()} · {byType.map(([type, n]) => `${type}: ${n.toLocaleString()}`).join(' · ') || 'empty'}
        </p>
        <ul className="kalphite-feed" aria-label="Entities">
          {matches.slice(0, SHOWN).map((e) => (
            <li key={e.id}>
              <button type="button" className="kalphite-button" aria-pressed={selected === e.id} onClick={() => setSelected(e.id)}>
                {e.id}
              </button>
              <span className="kalphite-muted">{e.type}</span>
            </li>
          ))}
        </ul>
        {matches.length > SHOWN && <p className="kalphite-muted">{(matches.length - SHOWN).toLocaleString()} more: refine the search.</p>}
      </div>
      <div>
        {entity ? (
          <>
            <pre className="kalphite-json" aria-label={`JSON of ${entity.id}`}>
              {JSON.stringify(entity, null, 2)}
            </pre>
            <button type="button" className="kalphite-button kalphite-button-danger" onClick={() => kalphite.store.entities.delete(entity.id)}>
              Delete {entity.id}
            </button>
          </>
        ) : (
          <p className="kalphite-muted">Select an entity to see its JSON.</p>
        )}
      </div>
    </div>
  );
}
