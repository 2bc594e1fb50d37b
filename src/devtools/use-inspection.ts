import { useEffect, useState } from 'react';
import type { Kalphite, KalphiteEvent, KalphiteInspection } from '../engine/index.js';

const HISTORY = 300;

export interface EngineView {
  readonly inspection: KalphiteInspection;
  /** Recent events, newest first. */
  readonly events: readonly KalphiteEvent[];
}

/**
 * The engine as the panel sees it: `inspect()` plus recent events, refreshed at most once per
 * animation frame however many events arrive (the panel stays smooth at 100 events a second).
 */
export function useEngineView(kalphite: Kalphite): EngineView {
  const [view, setView] = useState<EngineView>(() => ({ inspection: kalphite.inspect(), events: [...kalphite.events].reverse() }));
  useEffect(() => {
    let events = [...kalphite.events].reverse().slice(0, HISTORY);
    let frame: number | null = null;
    const schedule = globalThis.requestAnimationFrame ?? ((cb: FrameRequestCallback) => setTimeout(() => cb(0), 16) as unknown as number);
    const cancel = globalThis.cancelAnimationFrame ?? ((id: number) => clearTimeout(id));
    const refresh = () => {
      frame = null;
      setView({ inspection: kalphite.inspect(), events });
    };
    const stop = kalphite.subscribe((event) => {
      events = [event, ...events].slice(0, HISTORY);
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

/**
 * A key for one event in a list, stable while newer events arrive above it (an index would make
 * React remount every row on each event).
 */
export function eventKey(e: KalphiteEvent): string {
  const detail =
    'requestId' in e ? e.requestId
    : 'batchId' in e ? `${e.batchId}.${'attempt' in e ? e.attempt : ''}`
    : 'mutationId' in e ? `${e.clientId}.${e.mutationId}`
    : 'version' in e ? e.version
    : '';
  return `${e.type}@${e.at}#${detail}`;
}
