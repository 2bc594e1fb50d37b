export { KalphiteProvider } from './provider.js';
export type { KalphiteProviderProps } from './provider.js';
export { useKalphiteInstance, useKalphiteStore, useKalphite, useEntity, useEntities } from './hooks.js';
export { initializeStore, resetGlobalStore } from './global.js';
export { useSyncStatus, useKalphiteEvents } from './sync-status.js';
export { useSpace } from './use-space.js';
export type { SpaceState, UseSpaceOptions } from './use-space.js';
export { useHistory } from './use-history.js';
export type { HistoryState } from './use-history.js';
