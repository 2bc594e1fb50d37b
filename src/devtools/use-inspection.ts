import { useEffect, useState } from 'react';
import type { Kalphite, KalphiteEvent, KalphiteInspection } from '../engine/index.js';
import { countRates, type RateBucket } from './rates.js';

const HISTORY = 300;

export interface EngineView {
  readonly inspection: KalphiteInspection;
  /** Recent events, newest first. */
  readonly events: readonly KalphiteEvent[];
  /** Per space, the newest version the server said it committed (pokes; a pull's cookie when newer). */
  readonly serverVersions: ReadonlyMap<string, number>;
  /** Spaces whose read access was lost (`space:lost`): closed and forgotten, so `inspect().spaces` no longer lists them. */
  readonly lostSpaces: ReadonlySet<string>;
  /** Writes and flushes per second over the last minute (`rates.ts`). */
  readonly rates: readonly RateBucket[];
}

/**
 * The engine as the panel sees it: `inspect()` plus recent events, refreshed at most once per
 * animation frame however many events arrive (the panel stays smooth at 100 events a second).
 * Server versions, lost spaces and the rates of the last minute are kept beyond the event history
 * while the panel is open: the views that show them must not forget one because a busy engine
 * emitted 300 events since.
 */
export function useEngineView(kalphite: Kalphite): EngineView {
  const [view, setView] = useState<EngineView>(() => heard({ inspection: kalphite.inspect(), events: [...kalphite.events].reverse(), serverVersions: new Map(), lostSpaces: new Set(), rates: [] }, kalphite.events));
  useEffect(() => {
    let events = [...kalphite.events].reverse().slice(0, HISTORY);
    let kept = heard({ inspection: kalphite.inspect(), events, serverVersions: new Map(), lostSpaces: new Set(), rates: [] }, kalphite.events);
    let frame: number | null = null;
    const schedule = globalThis.requestAnimationFrame ?? ((cb: FrameRequestCallback) => setTimeout(() => cb(0), 16) as unknown as number);
    const cancel = globalThis.cancelAnimationFrame ?? ((id: number) => clearTimeout(id));
    const refresh = () => {
      frame = null;
      setView({ ...kept, inspection: kalphite.inspect(), events });
    };
    const stop = kalphite.subscribe((event) => {
      events = [event, ...events].slice(0, HISTORY);
      kept = heard(kept, [event]);
      frame ??= schedule(refresh);
    });
    // Countdowns (next flush, next pull) move without events: refresh once a second too.
    const tick = setInterval(() => (frame ??= schedule(refresh)), 1000);
    return () => {
      stop();
      clearInterval(tick);
      if (frame !== null) cancel(frame);
    };
  }, [kalphite]);
  return view;
}

/** `view` with what `events` (oldest first) add to what it keeps; each part is new only when it changed, so memoised views skip equal ones. */
function heard(view: EngineView, events: readonly KalphiteEvent[]): EngineView {
  let { serverVersions, lostSpaces } = view;
  for (const e of events) {
    const version = e.type === 'sync:poke' ? e.version : e.type === 'sync:pull-succeeded' && typeof e.cookie === 'number' ? e.cookie : null;
    const space = e.type === 'sync:poke' ? e.space : e.type === 'sync:pull-succeeded' ? e.space : null;
    if (space !== null && version !== null && version > (serverVersions.get(space) ?? -1)) serverVersions = new Map(serverVersions).set(space, version);
    if (e.type === 'space:lost' && !lostSpaces.has(e.space)) lostSpaces = new Set(lostSpaces).add(e.space);
  }
  const rates = countRates(view.rates, events);
  return serverVersions === view.serverVersions && lostSpaces === view.lostSpaces && rates === view.rates ? view : { ...view, serverVersions, lostSpaces, rates };
}

const eventKeys = new WeakMap<KalphiteEvent, string>();
let eventsKeyed = 0;

/**
 * A key for one event in a list, stable while newer events arrive above it (an index would make
 * React remount every row on each event). The engine keeps each event as one object, so its key is
 * given once; two events alike in type, time and content still differ.
 */
export function eventKey(e: KalphiteEvent): string {
  let key = eventKeys.get(e);
  if (key === undefined) eventKeys.set(e, (key = `event-${++eventsKeyed}`));
  return key;
}
