import { useId } from 'react';
import type { Entity } from '../../engine/index.js';
import { useKalphite } from '../../react/index.js';
import { KalphiteStyles } from '../theme/styles.js';

export interface EntityTableProps {
  /** Only entities of this type; every entity when omitted. */
  readonly type?: string;
  /** Shown above the table and used as its accessible name. */
  readonly caption?: string;
  /** When given, each row gets a delete button that calls it with the entity id. */
  readonly onDelete?: (id: string) => void;
}

/** A live table of the store's entities: re-renders only when the shown entities change. */
export function EntityTable({ type, caption = type ? `Entities of type ${type}` : 'All entities', onDelete }: EntityTableProps) {
  const entities = useKalphite((store) => (type ? store.getByType(type) : store.getAll()));
  const captionId = useId();
  return (
    <table className="kalphite kalphite-table" aria-labelledby={captionId}>
      <KalphiteStyles />
      <caption id={captionId}>
        {caption} ({entities.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">id</th>
          <th scope="col">type</th>
          <th scope="col">data</th>
          <th scope="col">updated</th>
          {onDelete && (
            <th scope="col">
              <span className="kalphite-visually-hidden">actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {entities.length === 0 ? (
          <tr>
            <td colSpan={onDelete ? 5 : 4} className="kalphite-muted">
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
      <td>
        <code>{entity.id}</code>
      </td>
      <td>{entity.type}</td>
      <td className="kalphite-json">{JSON.stringify(entity.data)}</td>
      <td>{entity.updatedAt === undefined ? '—' : new Date(entity.updatedAt).toLocaleTimeString()}</td>
      {onDelete && (
        <td>
          <button type="button" className="kalphite-button" onClick={() => onDelete(entity.id)} aria-label={`Delete ${entity.id}`}>
            Delete
          </button>
        </td>
      )}
    </tr>
  );
}
