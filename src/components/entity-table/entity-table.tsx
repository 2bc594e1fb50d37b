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

/**
 * A live table of the store's entities: re-renders only when the shown entities change. In a frame
 * narrower than a row's id, type, time and button, each row stacks (its data below the rest), so no
 * column is squeezed to a letter's width.
 */
export function EntityTable({ type, caption = type ? `Entities of type ${type}` : 'All entities', onDelete }: EntityTableProps) {
  const entities = useKalphite((store) => (type ? store.getByType(type) : store.getAll()));
  const captionId = useId();
  return (
    <div className="kalphite kalphite-entity-table">
      <KalphiteStyles />
      <table className="kalphite-table" aria-labelledby={captionId}>
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
              <td colSpan={onDelete ? 5 : 4} className="kalphite-muted kalphite-entity-table-empty">
                {type ? `No entities of type ${type} yet.` : 'No entities yet.'}
              </td>
            </tr>
          ) : (
            entities.map((entity) => <EntityRow key={entity.id} entity={entity} onDelete={onDelete} />)
          )}
        </tbody>
      </table>
    </div>
  );
}

function EntityRow({ entity, onDelete }: { entity: Entity; onDelete: ((id: string) => void) | undefined }) {
  return (
    <tr>
      <td className="kalphite-entity-table-id">
        <code>{entity.id}</code>
      </td>
      <td className="kalphite-entity-table-type">{entity.type}</td>
      <td className="kalphite-json kalphite-entity-table-data">{JSON.stringify(entity.data)}</td>
      <td className="kalphite-entity-table-updated">{entity.updatedAt === undefined ? '—' : new Date(entity.updatedAt).toLocaleTimeString()}</td>
      {onDelete && (
        <td className="kalphite-entity-table-action">
          <button type="button" className="kalphite-button" onClick={() => onDelete(entity.id)} aria-label={`Delete ${entity.id}`}>
            Delete
          </button>
        </td>
      )}
    </tr>
  );
}
