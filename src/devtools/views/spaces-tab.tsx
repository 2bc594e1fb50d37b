import { useId, useState } from 'react';
import type { Kalphite, SpaceInfo, SpaceSyncStatus } from '../../engine/index.js';
import type { EngineView } from '../use-inspection.js';

/**
 * Each space this engine knows: whether this tab holds it in memory, whether the server lets this
 * user write it, its cookie beside the server's version heard from pokes, writes not acknowledged
 * yet, the last refusal and its reason, and a first load's progress. How many of the tabs sharing
 * the local db hold each space is the leader's count: a follower tab cannot know it.
 */
export function SpacesTab({ kalphite, view }: { kalphite: Kalphite; view: EngineView }) {
  const { inspection, serverVersions, lostSpaces } = view;
  const [error, setError] = useState<string | null>(null);
  const [opening, setOpening] = useState('');
  const captionId = useId();
  // A lost space is forgotten by the local db, so only the engine's get() still has its error.
  const ids = [...new Set([...inspection.spaces.map((s) => s.id), ...lostSpaces])].sort();
  const rows = ids.map((id) => inspection.spaces.find((s) => s.id === id) ?? kalphite.spaces.get(id));
  const act = (what: string, id: string, run: () => Promise<void>) => {
    setError(null);
    run().catch((reason: unknown) => setError(`Could not ${what} ${id}: ${reason instanceof Error ? reason.message : String(reason)}`));
  };
  return (
    <div style={{ display: 'grid', gap: 8 }}>
      <p className="kalphite-muted" style={{ margin: 0 }}>
        {inspection.spaces.filter((s) => s.open).length} open in this tab · default space <code>{inspection.defaultSpace}</code>
        {inspection.tabs.count > 1 && ` · ${inspection.tabs.count} tabs share the local db (this one is the ${inspection.tabs.role})`}
      </p>
      {error && <p role="alert" style={{ margin: 0 }}>{error}</p>}
      {/* Focusable, so a wide table scrolls from the keyboard in a narrow dock. */}
      <div className="kalphite-devtools-scroll" role="group" aria-labelledby={captionId} tabIndex={0}>
        <table className="kalphite-table kalphite-devtools-spaces">
          <caption id={captionId}>Spaces ({rows.length})</caption>
          <thead>
            <tr>
              <th scope="col">space</th>
              <th scope="col">this tab</th>
              <th scope="col">tabs holding it</th>
              <th scope="col">writable</th>
              <th scope="col">cookie</th>
              <th scope="col">server version</th>
              <th scope="col">unacknowledged</th>
              <th scope="col">last refusal</th>
              <th scope="col">first load</th>
              <th scope="col">
                <span className="kalphite-visually-hidden">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={10} className="kalphite-muted">
                  No spaces open or known to the local db.
                </td>
              </tr>
            ) : (
              rows.map((space) => (
                <SpaceRow
                  key={space.id}
                  space={space}
                  sync={inspection.sync?.spaces.find((s) => s.space === space.id) ?? null}
                  serverVersion={serverVersions.get(space.id) ?? null}
                  isDefault={space.id === inspection.defaultSpace}
                  tabCount={inspection.tabs.count}
                  onOpen={() => act('open', space.id, () => kalphite.spaces.open(space.id))}
                  onClose={() => act('close', space.id, () => kalphite.spaces.close(space.id))}
                />
              ))
            )}
          </tbody>
        </table>
      </div>
      <form
        className="kalphite-actions"
        onSubmit={(event) => {
          event.preventDefault();
          const id = opening.trim();
          if (id === '') return;
          act('open', id, () => kalphite.spaces.open(id));
          setOpening('');
        }}
      >
        <label>
          Open a space <input className="kalphite-input" style={{ width: '16em' }} value={opening} onChange={(e) => setOpening(e.target.value)} />
        </label>
        <button type="submit" className="kalphite-button" disabled={opening.trim() === ''}>
          Open
        </button>
      </form>
    </div>
  );
}

interface SpaceRowProps {
  readonly space: SpaceInfo;
  readonly sync: SpaceSyncStatus | null;
  readonly serverVersion: number | null;
  readonly isDefault: boolean;
  /** Tabs sharing the local db, this one included. */
  readonly tabCount: number;
  readonly onOpen: () => void;
  readonly onClose: () => void;
}

function SpaceRow({ space, sync, serverVersion, isDefault, tabCount, onOpen, onClose }: SpaceRowProps) {
  const { id, open, ready, tabs, writable, cookie, unacknowledged, lastRefusal, progress, error } = space;
  return (
    <tr>
      <th scope="row">
        <code>{id}</code>
        {isDefault && (
          <>
            {' '}
            <span className="kalphite-muted" style={{ fontWeight: 'normal' }}>
              (default)
            </span>
          </>
        )}
      </th>
      <td data-label="this tab">
        {error ? (
          <>
            <span className="kalphite-status kalphite-status-changes_requested">{error.code === 'forbidden' ? 'not readable' : `failed: ${error.code}`}</span>
            <div className="kalphite-muted">{error.message}</div>
          </>
        ) : open ? (
          ready ? 'open' : 'opening'
        ) : (
          'closed'
        )}
      </td>
      <td data-label="tabs holding it">{tabs === null ? <span className="kalphite-muted">the leader tab knows</span> : `${tabs} of ${tabCount}`}</td>
      <td data-label="writable">{writable === null ? <span className="kalphite-muted">not known yet</span> : writable ? 'yes' : <span className="kalphite-status kalphite-status-pending">read-only</span>}</td>
      <td data-label="cookie">
        <code>{cookie === null ? 'null' : JSON.stringify(cookie)}</code>
      </td>
      <td data-label="server version">{serverVersion === null ? <span className="kalphite-muted">not heard yet</span> : <>{serverVersion} {behind(cookie, serverVersion)}</>}</td>
      <td data-label="unacknowledged">
        {unacknowledged}
        {sync !== null && sync.acknowledgedMutationId > 0 && (
          <>
            {' '}
            <span className="kalphite-muted">(acknowledged up to #{sync.acknowledgedMutationId})</span>
          </>
        )}
      </td>
      <td data-label="last refusal">
        {lastRefusal ? (
          <>
            #{lastRefusal.mutationId}: {lastRefusal.reason}{' '}
            <span className="kalphite-muted">({new Date(lastRefusal.at).toLocaleTimeString()})</span>
          </>
        ) : (
          <span className="kalphite-muted">none</span>
        )}
      </td>
      <td data-label="first load">
        {progress ? (
          <progress aria-label={`First load of ${id}`} aria-valuetext={`${progress.pages} pages, ${progress.entities} entities`} />
        ) : null}
        {progress ? ` ${progress.pages} pages, ${progress.entities.toLocaleString()} entities so far` : open && !ready ? 'waiting for the first page' : <span className="kalphite-muted">{ready ? 'done' : '—'}</span>}
      </td>
      <td>
        {open ? (
          <button type="button" className="kalphite-button" onClick={onClose} aria-label={`Close ${id}`}>
            Close
          </button>
        ) : (
          <button type="button" className="kalphite-button" onClick={onOpen} aria-label={`Open ${id}`}>
            Open
          </button>
        )}
      </td>
    </tr>
  );
}

/** How the client's cookie stands against the newest version heard (a paged pull's cookie is not a number: no verdict). */
function behind(cookie: SpaceInfo['cookie'], serverVersion: number): string {
  if (typeof cookie !== 'number') return cookie === null ? '(never pulled)' : '';
  return cookie >= serverVersion ? '(up to date)' : `(${serverVersion - cookie} behind)`;
}
