import { useId, type CSSProperties } from 'react';
import type { Entity } from '../../engine/index.js';
import { useKalphite } from '../../react/index.js';

export interface EntityTableProps {
  /** Only entities of this type; every entity when omitted. */
  readonly type?: string;
  /** Shown above the table and used as its accessible name. */
  readonly caption?: string;
  /** When given, each row gets a delete button that calls it with the entity id. */
  readonly onDelete?: (id: string) => void;
}

const cell: CSSProperties = {
  padding: 'var(--kalphite-space-1, 4px) var(--kalphite-space-2, 8px)',
  borderBottom: '1px solid var(--kalphite-border, #d0d7de)',
  textAlign: 'left',
  verticalAlign: 'top',
};

/** A live table of the store's entities: re-renders only when the shown entities change. */
export function EntityTable({ type, caption = type ? `Entities of type ${type}` : 'All entities', onDelete }: EntityTableProps) {
  const entities = useKalphite((store) => (type ? store.getByType(type) : store.getAll()));
  const captionId = useId();
  return (
    <table
      className="kalphite-entity-table"
      aria-labelledby={captionId}
      style={{ borderCollapse: 'collapse', width: '100%', font: 'var(--kalphite-font, 13px/1.4 system-ui, sans-serif)', color: 'var(--kalphite-fg, #1f2328)', background: 'var(--kalphite-bg, transparent)' }}
    >
      <caption id={captionId} style={{ textAlign: 'left', fontWeight: 600, padding: 'var(--kalphite-space-2, 8px) 0' }}>
        {caption} ({entities.length})
      </caption>
      <thead>
        <tr>
          <th scope="col" style={cell}>id</th>
          <th scope="col" style={cell}>type</th>
          <th scope="col" style={cell}>data</th>
          <th scope="col" style={cell}>updated</th>
          {onDelete && <th scope="col" style={cell}><span className="kalphite-visually-hidden" style={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>actions</span></th>}
        </tr>
      </thead>
      <tbody>
        {entities.length === 0 ? (
          <tr>
            <td colSpan={onDelete ? 5 : 4} style={{ ...cell, color: 'var(--kalphite-muted, #656d76)' }}>
              No entities yet.
            </td>
          </tr>
        ) : (
          entities.map((entity) => <EntityRow key={entity.id} entity={entity} onDelete={onDelete} />)
        )}
      </tbody>
    </table>
  );
}

function EntityRow({ entity, onDelete }: { entity: Entity; onDelete: ((id: string) => void) | undefined }) {
  return (
    <tr>
      <td style={cell}><code>{entity.id}</code></td>
      <td style={cell}>{entity.type}</td>
      <td style={{ ...cell, fontFamily: 'var(--kalphite-mono, ui-monospace, monospace)', whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{JSON.stringify(entity.data)}</td>
      <td style={cell}>{entity.updatedAt === undefined ? '—' : new Date(entity.updatedAt).toLocaleTimeString()}</td>
      {onDelete && (
        <td style={cell}>
          <button type="button" onClick={() => onDelete(entity.id)} aria-label={`Delete ${entity.id}`}>
            Delete
          </button>
        </td>
      )}
    </tr>
  );
}
