export { KalphiteProvider } from './provider.js';
export type { KalphiteProviderProps } from './provider.js';
export { useKalphiteInstance, useKalphiteStore, useKalphite, useEntity, useEntities } from './hooks.js';
