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
  const syncing = status.pushing || status.pulling;
  const state = status.paused ? 'Paused' : !status.online ? 'Offline' : syncing ? 'Syncing…' : 'Online';
  const dot = !status.online || status.paused ? 'kalphite-dot-offline' : syncing ? 'kalphite-dot-syncing' : '';
  const last = Math.max(status.lastPullAt ?? 0, status.lastPushAt ?? 0);
  return (
    <span className="kalphite kalphite-badge" role="status" aria-live="polite">
      <KalphiteStyles />
      <span className={`kalphite-dot ${dot}`} aria-hidden="true" />
      <span>{state}</span>
      <span>{status.unacknowledged === 0 ? 'All changes synced' : `${status.unacknowledged} unsynced`}</span>
      {last > 0 && <span className="kalphite-muted">synced {relativeTime(last, now)}</span>}
      {status.lastError && status.unacknowledged > 0 && status.lastError.at > last && (
        <span title={status.lastError.message}>Retrying: {status.lastError.code === 'network' ? 'server unreachable' : 'server error'}</span>
      )}
    </span>
  );
}
