import type { HeldAsideEntity, Kalphite, KalphiteEventType } from '../../engine/index.js';
import { useEngineRead } from '../use-engine-read.js';

const readHeldAside = (kalphite: Kalphite) => kalphite.heldAside();
// Read again whenever a value is held aside or leaves.
const RELOAD_ON: ReadonlySet<KalphiteEventType> = new Set(['schema:held-aside', 'schema:released', 'db:reset', 'space:lost']);
const NONE: readonly HeldAsideEntity[] = [];

/**
 * Server values that do not fit this app's schema, oldest first: kept in the local db (not in
 * memory, which keeps its older value), each with the validator's issues and the value as the server
 * sent it. They apply by themselves once a newer schema or `migrate` makes them fit, or when the
 * server sends a value that fits.
 */
export function HeldAsideTab({ kalphite }: { kalphite: Kalphite }) {
  const { value: entities, error } = useEngineRead(kalphite, readHeldAside, RELOAD_ON, NONE);
  return (
    <div style={{ display: 'grid', gap: 8 }}>
      <p className="kalphite-muted" style={{ margin: 0 }} aria-live="polite">
        {entities.length === 0
          ? 'Every value from the server fits this app’s schema.'
          : `${entities.length} ${entities.length === 1 ? 'value' : 'values'} from the server ${entities.length === 1 ? 'does' : 'do'} not fit this app’s schema: held in the local db, not in memory.`}
      </p>
      {error && <p role="alert">Could not read the held-aside values: {error}</p>}
      {/* A rule between values: each one's heading, issues and server value read as one. */}
      <ol style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 8 }}>
        {entities.map((entity) => (
          <li key={`${entity.space} ${entity.id}`} style={{ borderTop: '1px solid var(--kalphite-border)', paddingTop: 8 }}>
            <HeldAsideEntry entity={entity} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function HeldAsideEntry({ entity }: { entity: HeldAsideEntity }) {
  return (
    <section aria-label={`Held aside: ${entity.id}`}>
      <h3 className="kalphite-heading" style={{ marginBottom: 2 }}>
        <code>{entity.id}</code> ({entity.type}) in <code>{entity.space}</code>
      </h3>
      <p className="kalphite-muted" style={{ margin: '0 0 4px' }}>
        Held at <time dateTime={new Date(entity.heldAt).toISOString()}>{new Date(entity.heldAt).toLocaleTimeString()}</time> under schema version {entity.schemaVersion}
      </p>
      <ul aria-label={`Issues of ${entity.id}`} style={{ margin: '0 0 4px', paddingInlineStart: 20 }}>
        {entity.issues.map((issue, index) => (
          <li key={index}>
            {issue.path !== '' && (
              <>
                <code>{issue.path}</code>:{' '}
              </>
            )}
            {issue.message}
          </li>
        ))}
      </ul>
      <details>
        <summary>The server’s value</summary>
        <pre className="kalphite-json" aria-label={`The server’s value of ${entity.id}`}>
          {JSON.stringify(entity.value.data, null, 2)}
        </pre>
      </details>
    </section>
  );
}
