import type { ReactNode } from 'react';
import { useSpace, useSyncStatus } from '../react/index.js';
import { useSpaceInfo } from './space.js';
import { KalphiteStyles } from './theme/styles.js';

export interface SpaceGateProps {
  /** The space to open while mounted (`useSpace`: ref-counted, closed a grace period after the last user unmounts). */
  readonly space: string;
  /** Names the loading and unavailable states' landmark (default "Space <id>"). */
  readonly label?: string;
  /** Rendered once the space can be shown: its local copy or its first pull is in memory. */
  readonly children: ReactNode;
}

/**
 * Opens a space and shows its children once there is something to show: a progress bar (pages and
 * entities received) while a first load is on its way, a clear message when the server refuses
 * this user the space (rule 1 of SPACES.md: nothing of it reached the page) or opening failed. A
 * space with a local copy shows it at once while its pull catches up.
 */
export function SpaceGate({ space, label, children }: SpaceGateProps) {
  const state = useSpace(space);
  const { cookie } = useSpaceInfo(space);
  const name = label ?? `Space ${space}`;
  if (state.error) return <SpaceUnavailable name={name} space={space} forbidden={state.error.code === 'forbidden'} message={state.error.message} />;
  // Never synced: nothing local to show until the first pull lands.
  if (!state.ready && cookie === null) return <SpaceLoading name={name} space={space} progress={state.progress} />;
  return <>{children}</>;
}

function SpaceUnavailable({ name, space, forbidden, message }: { name: string; space: string; forbidden: boolean; message: string }) {
  return (
    <section className="kalphite kalphite-space-state" aria-label={name}>
      <KalphiteStyles />
      <div role="alert" className="kalphite-notice kalphite-notice-danger">
        {/* One flex item: the sentence wraps as text. */}
        <span>
          {forbidden ? (
            <>
              <strong>You do not have access to {space}.</strong> The server does not let you read it, so nothing of it was sent to this page. Ask one of its
              members for access.
            </>
          ) : (
            <>
              <strong>Could not open {space}.</strong> {message}
            </>
          )}
        </span>
      </div>
    </section>
  );
}

function SpaceLoading({ name, space, progress }: { name: string; space: string; progress: { readonly pages: number; readonly entities: number } | null }) {
  const lastError = useSyncStatus()?.lastError ?? null;
  const received =
    progress === null
      ? "Waiting for the server's first page."
      : `${plural(progress.pages, 'page')} and ${plural(progress.entities, 'entity', 'entities')} received so far.`;
  return (
    <section className="kalphite kalphite-space-state" aria-label={name}>
      <KalphiteStyles />
      {/* The server does not say how much there is, so the bar cannot show a fraction: it moves, and the counts say how far it got. */}
      <progress className="kalphite-progress" aria-label={`Loading ${space}`} aria-valuetext={received} />
      <p role="status" className="kalphite-muted">
        Loading {space}: {received}
        {lastError && ` The server did not answer (${lastError.message}); trying again.`}
      </p>
    </section>
  );
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
