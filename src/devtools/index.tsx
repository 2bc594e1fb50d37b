import { KalphiteDevtoolsFloating, type KalphiteDevtoolsProps } from './devtools.js';

/** Renders nothing in production builds; import `kalphite/devtools/production` to ship it on purpose. */
export function KalphiteDevtools(props: KalphiteDevtoolsProps) {
  if (process.env.NODE_ENV === 'production') return null;
  return <KalphiteDevtoolsFloating {...props} />;
}

export { KalphiteDevtoolsPanel } from './lazy-panel.js';
export type { KalphiteDevtoolsPanelProps } from './lazy-panel.js';
export type { KalphiteDevtoolsProps } from './devtools.js';
export { createDevtoolsUiStore, UI_STORAGE_KEY } from './ui-state.js';
export type { DevtoolsUiState, DevtoolsTab, DevtoolsDock } from './ui-state.js';
export type { DevtoolsTheme } from './host-theme.js';
export { createFaultInjector, NO_FAULTS } from './faults.js';
export type { FaultInjector, Faults } from './faults.js';
