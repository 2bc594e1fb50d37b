import type { FaultInjector } from '../devtools/production.js';
import type { Kalphite } from '../engine/index.js';

/** An engine a story shows in the Kalphite panel. */
export interface ShownEngine {
  readonly key: number;
  readonly label: string;
  readonly kalphite: Kalphite;
  readonly faults: FaultInjector | undefined;
}

export interface ShowInPanelOptions {
  /** Names the engine where a story has several (two clients, say); default "Engine 1", "Engine 2"… */
  readonly label?: string;
  /** The engine's fetch wrapper from `createFaultInjector()`: adds the Faults view. */
  readonly faults?: FaultInjector;
}

let shown: readonly ShownEngine[] = [];
let nextKey = 1;
const listeners = new Set<() => void>();

/**
 * Shows `kalphite` in Storybook's Kalphite panel while the story renders; call the returned
 * function when the story lets go of the engine (before closing it). Outside Storybook (a test
 * runner rendering the story, an app) nothing reads the list, so it costs an array entry.
 */
export function showInKalphitePanel(kalphite: Kalphite, options: ShowInPanelOptions = {}): () => void {
  const key = nextKey++;
  const entry: ShownEngine = { key, label: options.label ?? `Engine ${shown.length + 1}`, kalphite, faults: options.faults };
  // By label, not by arrival: a story's engines open concurrently, and the panel's choice (and the
  // engine it shows first) should not depend on which opened first.
  shown = [...shown, entry].sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
  listeners.forEach((listener) => listener());
  return () => {
    if (!shown.includes(entry)) return;
    shown = shown.filter((e) => e !== entry);
    listeners.forEach((listener) => listener());
  };
}

/** The engines shown now, in the order of their labels; a new array on every change. */
export function shownEngines(): readonly ShownEngine[] {
  return shown;
}

export function subscribeToShownEngines(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
