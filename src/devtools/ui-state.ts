import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { createStore, type StoreApi } from 'zustand/vanilla';

export type DevtoolsTab = 'memory' | 'flushes' | 'changes' | 'sync' | 'spaces' | 'durability' | 'divergence' | 'overwritten' | 'renders' | 'held-aside' | 'events' | 'faults';
export type DevtoolsDock = 'bottom' | 'right' | 'left' | 'top';

export interface DevtoolsUiState {
  readonly open: boolean;
  readonly dock: DevtoolsDock;
  /** Height (top/bottom) or width (left/right) of the docked panel, in px. */
  readonly size: number;
  readonly tab: DevtoolsTab;
  readonly filter: string;
  set(patch: Partial<Omit<DevtoolsUiState, 'set'>>): void;
}

export const UI_STORAGE_KEY = 'kalphite-devtools:ui';

/** The panel's own state (open, dock, size, tab, filter), kept in localStorage under one key. */
export function createDevtoolsUiStore(storage: StateStorage | undefined = globalThis.localStorage): StoreApi<DevtoolsUiState> {
  return createStore<DevtoolsUiState>()(
    persist(
      (set) => ({ open: false, dock: 'bottom', size: 320, tab: 'memory', filter: '', set: (patch) => set(patch) }),
      {
        name: UI_STORAGE_KEY,
        ...(storage && { storage: createJSONStorage(() => storage) }),
        partialize: ({ open, dock, size, tab, filter }) => ({ open, dock, size, tab, filter }),
      },
    ),
  );
}
