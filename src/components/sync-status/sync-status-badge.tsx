import { useSyncStatus } from '../../react/index.js';
import { KalphiteStyles } from '../theme/styles.js';
import { relativeTime } from '../time.js';
import { useNow } from '../use-now.js';

export interface SyncStatusBadgeProps {
  readonly now?: number;
}

/** Online or offline, syncing, how many writes the server has not acknowledged, and when it last synced. */
export function SyncStatusBadge({ now: fixedNow }: SyncStatusBadgeProps) {
  const status = useSyncStatus();
  const now = useNow(fixedNow, 1000);
  if (!status) {
    return (
      <span className="kalphite kalphite-badge" role="status">
        <KalphiteStyles />
        Local only
      </span>
    );
  }
  const waiting = status.unacknowledged;
  // One phrase, never two that disagree: "Syncing…" only while writes are on their way (a routine
  // pull is no news), and with none waiting the count says it all.
  const pushing = status.online && !status.paused && waiting > 0 && status.pushing;
  const phrase = status.paused ? 'Paused' : !status.online ? 'Offline' : pushing ? 'Syncing…' : null;
  const dot = !status.online || status.paused ? 'kalphite-dot-offline' : waiting > 0 ? 'kalphite-dot-syncing' : '';
  const last = Math.max(status.lastPullAt ?? 0, status.lastPushAt ?? 0);
  return (
    <span className="kalphite kalphite-badge" role="status" aria-live="polite">
      <KalphiteStyles />
      <span className={`kalphite-dot ${dot}`} aria-hidden="true" />
      {phrase && <span>{phrase}</span>}
      <span>{waiting === 0 ? 'All changes synced' : `${waiting} unsynced`}</span>
      {last > 0 && <span className="kalphite-muted">synced {relativeTime(last, now)}</span>}
      {status.lastError && status.unacknowledged > 0 && status.lastError.at > last && (
        <span title={status.lastError.message}>Retrying: {status.lastError.code === 'network' ? 'server unreachable' : 'server error'}</span>
      )}
    </span>
  );
}
