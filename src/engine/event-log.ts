import { EventBus, type Listener } from './event-bus.js';
import type { EmitEvent, KalphiteEvent } from './events.js';

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

/**
 * The engine's one event stream: stamps each event with the engine clock, keeps the recent ones,
 * and owns `lastError` — any event that carries an error sets it for its kind, and that kind's
 * next success clears it, so a recovered engine shows no error.
 */
export class EventLog {
  readonly #bus = new EventBus<KalphiteEvent>();
  readonly #history: KalphiteEvent[] = [];
  readonly #historySize: number;
  readonly #now: () => number;
  readonly #failures = new Map<string, ErrorInfo>();

  constructor(now: () => number, historySize: number) {
    this.#now = now;
    this.#historySize = historySize;
  }

  readonly emit: EmitEvent = (partial) => {
    const event = { ...partial, at: this.#now() } as KalphiteEvent;
    const kind = failureKind(event);
    if ('error' in event && kind !== null) this.#failures.set(kind, { code: event.error.code, message: event.error.message, at: event.at });
    else if (kind !== null) this.#failures.delete(kind);
    if (this.#historySize > 0) {
      this.#history.push(forHistory(event));
      if (this.#history.length > this.#historySize) this.#history.splice(0, this.#history.length - this.#historySize);
    }
    this.#bus.emit(event);
  };

  readonly subscribe = (listener: Listener<KalphiteEvent>): (() => void) => this.#bus.subscribe(listener);

  /** Recent events, oldest first. */
  get events(): readonly KalphiteEvent[] {
    return this.#history.slice();
  }

  /** The newest failure not yet followed by a success of its kind. */
  get lastError(): ErrorInfo | null {
    let newest: ErrorInfo | null = null;
    for (const failure of this.#failures.values()) if (newest === null || failure.at > newest.at) newest = failure;
    return newest;
  }

  /** Drops every listener (the engine closed). */
  clear(): void {
    this.#bus.clear();
  }
}

/**
 * Changes a `store:changed` event keeps in the history; listeners hear every change. Without a
 * bound the history would hold every entity of the last commits (a space opened and closed is two
 * commits of all its entities), and closing a space would free nothing.
 */
export const HISTORY_CHANGES_KEPT = 100;

function forHistory(event: KalphiteEvent): KalphiteEvent {
  if (event.type !== 'store:changed' || event.changes.length <= HISTORY_CHANGES_KEPT) return event;
  return { ...event, changes: event.changes.slice(0, HISTORY_CHANGES_KEPT), omitted: event.changes.length - HISTORY_CHANGES_KEPT };
}

/** Which kind of work an event reports on: its failure sets `lastError`, its success clears it. */
function failureKind(event: KalphiteEvent): string | null {
  switch (event.type) {
    case 'flush:failed':
    case 'flush:committed':
      return 'flush';
    case 'sync:request-failed':
      return event.kind;
    case 'sync:push-succeeded':
      return 'push';
    case 'sync:pull-succeeded':
      return 'pull';
    case 'tabs:takeover-failed':
    case 'db:opened':
      return 'takeover';
    case 'tabs:incompatible':
      return 'tabs';
    default:
      return null;
  }
}
