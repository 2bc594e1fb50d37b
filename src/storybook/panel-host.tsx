import { useId, useState, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { createDevtoolsUiStore, KalphiteDevtoolsPanel, type DevtoolsUiState } from '../devtools/production.js';
import type { StoreApi } from 'zustand';
import { shownEngines, subscribeToShownEngines } from './registry.js';

/*
 * Runs in the preview (the story's window), rendering into a node of the manager's page: the panel
 * lives beside the story's engine — its events, timers and React bindings — while Storybook's addon
 * area shows it. The devtools read their document and window from the node they render in.
 */

let ui: StoreApi<DevtoolsUiState> | null = null;

/** The panel's UI state under a key of its own: a view chosen here does not move the stories' floating devtools. */
const ownStorage = {
  getItem: (key: string) => globalThis.localStorage?.getItem(`${key}:storybook`) ?? null,
  setItem: (key: string, value: string) => globalThis.localStorage?.setItem(`${key}:storybook`, value),
  removeItem: (key: string) => globalThis.localStorage?.removeItem(`${key}:storybook`),
};

/** The Kalphite panel's content: the devtools of the story's engine, a choice where it has several. */
export function PanelHost() {
  const engines = useSyncExternalStore(subscribeToShownEngines, shownEngines, shownEngines);
  const [chosen, setChosen] = useState<number | null>(null);
  const selectId = useId();
  // One UI state for every story (the view, the filter), remembered like the floating devtools'.
  ui ??= createDevtoolsUiStore(ownStorage);
  const current = engines.find((e) => e.key === chosen) ?? engines[0];
  if (!current) {
    return (
      <p role="status" className="kalphite-storybook-empty">
        This story shows no Kalphite engine. A story shows its engine here with <code>showInKalphitePanel(kalphite)</code> from <code>kalphite/storybook</code>.
      </p>
    );
  }
  const choice =
    engines.length > 1 ? (
      <span className="kalphite-storybook-engine">
        <label htmlFor={selectId}>Engine</label>{' '}
        <select id={selectId} value={current.key} onChange={(event) => setChosen(Number(event.target.value))}>
          {engines.map((e) => (
            <option key={e.key} value={e.key}>
              {e.label}
            </option>
          ))}
        </select>
      </span>
    ) : undefined;
  // Keyed by the engine: another engine's panel starts afresh (its subscriptions, its lists).
  return <KalphiteDevtoolsPanel key={current.key} kalphite={current.kalphite} ui={ui} chrome={choice} {...(current.faults && { faults: current.faults })} />;
}

/** Renders the panel into `container` (a node of the manager's page) until the returned function is called. */
export function mountPanel(container: HTMLElement): () => void {
  const root = createRoot(container);
  root.render(<PanelHost />);
  return () => root.unmount();
}
