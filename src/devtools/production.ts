// The ungated entry: renders the devtools in every build (a static Storybook is a production build).
export { KalphiteDevtoolsFloating as KalphiteDevtools } from './devtools.js';
export { KalphiteDevtoolsPanel } from './lazy-panel.js';
export type { KalphiteDevtoolsPanelProps } from './lazy-panel.js';
export type { KalphiteDevtoolsProps } from './devtools.js';
export { createDevtoolsUiStore, UI_STORAGE_KEY } from './ui-state.js';
export type { DevtoolsUiState, DevtoolsTab, DevtoolsDock } from './ui-state.js';
export type { DevtoolsTheme } from './host-theme.js';
export { createFaultInjector, NO_FAULTS } from './faults.js';
export type { FaultInjector, Faults } from './faults.js';
