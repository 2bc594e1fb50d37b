import { useEffect, useState } from 'react';
import type { HeldAsideEntity, Kalphite } from '../../engine/index.js';

const RELOAD_ON = new Set(['schema:held-aside', 'schema:released', 'db:reset', 'space:lost']);

interface HeldAsideView {
  readonly entities: readonly HeldAsideEntity[];
  /** Why the last read failed (a tab that does not hold the local db, a closed engine), or null. */
  readonly error: string | null;
}

/** `kalphite.heldAside()`, read again whenever a value is held aside or leaves. Answers may arrive out of order: the newest read wins. */
function useHeldAside(kalphite: Kalphite): HeldAsideView {
  const [view, setView] = useState<HeldAsideView>({ entities: [], error: null });
  useEffect(() => {
    let disposed = false;
    let round = 0;
    const read = () => {
      const mine = ++round;
      kalphite.heldAside().then(
        (entities) => !disposed && mine === round && setView({ entities, error: null }),
        (reason: unknown) => !disposed && mine === round && setView((v) => ({ entities: v.entities, error: reason instanceof Error ? reason.message : String(reason) })),
      );
    };
    read();
    const stop = kalphite.subscribe((event) => {
      if (RELOAD_ON.has(event.type)) read();
    });
    return () => {
      disposed = true;
      stop();
    };
  }, [kalphite]);
  return view;
}

/**
 * Server values that do not fit this app's schema, oldest first: kept in the local db (not in
 * memory, which keeps its older value), each with the validator's issues and the value as the server
 * sent it. They apply by themselves once a newer schema or `migrate` makes them fit, or when the
 * server sends a value that fits.
 */
export function HeldAsideTab({ kalphite }: { kalphite: Kalphite }) {
  const { entities, error } = useHeldAside(kalphite);
  return (
    <div style={{ display: 'grid', gap: 8 }}>
      <p className="kalphite-muted" style={{ margin: 0 }} aria-live="polite">
        {entities.length === 0
          ? 'Every value from the server fits this app’s schema.'
          : `${entities.length} ${entities.length === 1 ? 'value' : 'values'} from the server ${entities.length === 1 ? 'does' : 'do'} not fit this app’s schema: held in the local db, not in memory.`}
      </p>
      {error && <p role="alert">Could not read the held-aside values: {error}</p>}
      <ol style={{ listStyle: 'none', margin: 0, padding: 0, display: 'grid', gap: 12 }}>
        {entities.map((entity) => (
          <li key={`${entity.space} ${entity.id}`}>
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
      <h3 className="kalphite-heading">
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
