import { useRef, useState } from 'react';
import type { KalphiteEvent, KalphiteSync, SyncStatus } from '../../engine/index.js';
import type { EngineView } from '../use-inspection.js';

type Blocked = NonNullable<SyncStatus['blocked']>;

/**
 * The notice for a push the server refused in a way retrying cannot fix (`sync.status.blocked`):
 * what happened in plain words, and the two ways on — send again (once the server or the data is
 * fixed) or give the refused rows up.
 *
 * States: hidden (nothing blocked) → shown → sending again (after "Re-send", until that push ends:
 * the engine clears `blocked` at once, but the notice stays so focus and place are kept; it ends
 * shown again if the server refuses again, hidden if the push goes through or fails in a way the
 * engine retries by itself) · shown → confirming a drop → dropping → hidden once the engine
 * reports nothing blocked, or shown with the error (a failed drop keeps the rows).
 */
export function BlockedPush({ sync, view }: { sync: Pick<KalphiteSync, 'retry' | 'dropBlocked'>; view: EngineView }) {
  // `newest`: the newest event when "Re-send" was clicked; only events after it can answer the re-send.
  const [resent, setResent] = useState<{ since: number; newest: KalphiteEvent | undefined; blocked: Blocked } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [dropping, setDropping] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);
  const dropButton = useRef<HTMLButtonElement>(null);
  const current = view.inspection.sync?.blocked ?? null;

  // A refusal newer than the re-send is the answer to it; until then the re-sent push is in flight
  // unless an event says it ended (went through, or failed and is being retried on its own).
  const answered = resent !== null && current !== null && current.at >= resent.since;
  const ended = resent !== null && eventsAfter(view.events, resent.newest).some((e) => e.type === 'sync:push-succeeded' || (e.type === 'sync:request-failed' && e.kind === 'push'));
  const sending = resent !== null && !answered && !ended;
  const blocked = sending ? resent.blocked : current;
  if (blocked === null) return null;

  const busy = sending || dropping;
  const changes = plural(blocked.mutations, 'change');
  const resend = () => {
    if (busy) return;
    setConfirming(false);
    setDropError(null);
    setResent({ since: view.inspection.at, newest: view.events[0], blocked });
    sync.retry();
  };
  const drop = () => {
    setConfirming(false);
    setDropping(true);
    setDropError(null);
    sync
      .dropBlocked()
      .catch((reason: unknown) => setDropError(reason instanceof Error ? reason.message : String(reason)))
      .finally(() => setDropping(false));
  };
  const cancel = () => {
    setConfirming(false);
    dropButton.current?.focus();
  };

  return (
    <section aria-label="Pushing stopped" className="kalphite-devtools-blocked">
      <style href="kalphite-devtools-blocked" precedence="default">
        {CSS}
      </style>
      <p role="alert" style={{ margin: 0 }}>
        <strong>Pushing stopped:</strong> {summary(blocked)}
      </p>
      <p className="kalphite-muted kalphite-devtools-blocked-detail">
        <code>{blocked.code}</code> {blocked.message} · {new Date(blocked.at).toLocaleTimeString()}
      </p>
      <div className="kalphite-actions" role="group" aria-label="Blocked push">
        <button type="button" className="kalphite-button" aria-disabled={busy} onClick={resend}>
          Re-send
        </button>
        <button ref={dropButton} type="button" className="kalphite-button kalphite-button-danger" aria-disabled={busy} aria-expanded={confirming} onClick={() => !busy && setConfirming(true)}>
          Drop {changes}…
        </button>
        {sending && (
          <span role="status" className="kalphite-muted">
            Sending again…
          </span>
        )}
        {dropping && (
          <span role="status" className="kalphite-muted">
            Dropping…
          </span>
        )}
      </div>
      {confirming && (
        <div role="alertdialog" aria-label="Drop the refused changes" className="kalphite-devtools-confirm">
          <p style={{ margin: 0 }}>
            Give up {changes} the server refused? {dropWarning(blocked.mutations)}
          </p>
          <button type="button" className="kalphite-button kalphite-button-danger" onClick={drop}>
            Drop
          </button>
          <button type="button" className="kalphite-button" autoFocus onClick={cancel}>
            Cancel
          </button>
        </div>
      )}
      {dropError && <p role="alert" style={{ margin: 0 }}>Could not drop the changes: {dropError}</p>}
    </section>
  );
}

/** "the server refused a change too large for it (HTTP 413). 1 change waits in the outbox; …" */
function summary(blocked: Blocked): string {
  const status = blocked.status === null ? '' : ` (HTTP ${blocked.status})`;
  const waiting = `${plural(blocked.mutations, 'change')} ${blocked.mutations === 1 ? 'waits' : 'wait'} in the outbox`;
  return `the server refused ${refusal(blocked.status)}${status}. ${waiting}; retrying by itself cannot help.`;
}

function dropWarning(n: number): string {
  const [it, sent] = n === 1 ? ['it', 'It is sent as a discard'] : ['they', 'They are sent as discards'];
  return `${sent}: the server’s values come back, and whatever ${it} created that the server never had disappears. This cannot be undone.`;
}

/** What the server refused, by the statuses the sync client treats as permanent. */
function refusal(status: number | null): string {
  switch (status) {
    case 400:
      return 'the push as malformed';
    case 403:
      return 'the push: this client may not write there';
    case 404:
      return 'the push: it has no sync endpoint at that address';
    case 409:
      return 'the push as conflicting with its state';
    case 413:
      return 'a change too large for it';
    case 415:
      return 'the push’s content type';
    default:
      return 'the push';
  }
}

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;

// Its own rules, beside the panel's: a tinted, danger-edged box that stands out above the tabs in
// either theme; aria-disabled buttons (they keep focus while a push is in flight) look disabled.
const CSS = `
.kalphite-devtools-blocked {
  display: grid; gap: var(--kalphite-space); padding: var(--kalphite-space) calc(var(--kalphite-space) * 1.5);
  border: 1px solid var(--kalphite-danger); border-left-width: 4px; border-radius: var(--kalphite-radius);
  background: color-mix(in srgb, var(--kalphite-danger) 7%, var(--kalphite-bg));
}
.kalphite-devtools-blocked-detail { margin: 0; font-size: 12px; overflow-wrap: anywhere; }
.kalphite-devtools-blocked-detail code { font: var(--kalphite-mono); }
.kalphite-devtools-blocked .kalphite-actions { align-items: center; }
.kalphite-devtools-blocked .kalphite-button[aria-disabled="true"] { opacity: 0.55; cursor: default; }
.kalphite-devtools-blocked .kalphite-devtools-confirm { background: var(--kalphite-bg); }
`;

/** The events newer than `newest` (newest first, as the view keeps them); all of them if it has left the history. */
function eventsAfter(events: readonly KalphiteEvent[], newest: KalphiteEvent | undefined): readonly KalphiteEvent[] {
  const at = newest === undefined ? -1 : events.indexOf(newest);
  return at < 0 ? events : events.slice(0, at);
}
