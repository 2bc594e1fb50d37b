import { use, useContext, useMemo, useSyncExternalStore } from 'react';
import type { AnyEntityOf, EntityOf, Kalphite, TypeName } from '../engine/index.js';
import { KalphiteContext } from './context.js';
import { globalKalphite } from './global.js';
import type { RegisteredSchema, RegisteredStore, RegisteredStrict } from './register.js';
import type { ReportingHook } from './render-log.js';
import { useRenderReport } from './use-render-report.js';

/**
 * The engine from the nearest `<KalphiteProvider>`, else the global one from `initializeStore()`
 * (suspending until it is ready: wrap the app in `<Suspense fallback={…}>`).
 */
export function useKalphiteInstance(): Kalphite {
  const provided = useContext(KalphiteContext);
  if (provided) return provided;
  const entry = globalKalphite();
  if (!entry) throw new Error('Kalphite hooks need a <KalphiteProvider kalphite={instance}> above them, or initializeStore() first.');
  // Always through use(): a component that suspended must call it again when it resumes.
  return use(entry.promise);
}

/**
 * The seed's single hook: the store, re-rendering on every change. The snapshot is the store's
 * version, which changes with every commit (returning the store itself would never re-render).
 */
export function useKalphiteStore(): RegisteredStore {
  const kalphite = useKalphiteInstance();
  const { store } = kalphite;
  const version = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  useRenderReport(kalphite, 'useKalphiteStore', version);
  return store as unknown as RegisteredStore;
}

/** Re-renders only when the selected value changes (by `isEqual`, default `Object.is`). */
export function useKalphite<T>(selector: (store: RegisteredStore) => T, isEqual: (a: T, b: T) => boolean = Object.is): T {
  return useSelection(selector, isEqual, 'useKalphite');
}

/** `useKalphite`, reporting its renders under the name of the hook the component called. */
function useSelection<T>(selector: (store: RegisteredStore) => T, isEqual: (a: T, b: T) => boolean, hook: ReportingHook): T {
  const kalphite = useKalphiteInstance();
  const store = kalphite.store as unknown as RegisteredStore;
  const getSelection = useMemo(() => {
    let last: { version: number; value: T } | null = null;
    return (): T => {
      const version = store.getSnapshot();
      if (last && last.version === version) return last.value;
      const value = selector(store);
      // Keep the previous value when equal, so React sees the same snapshot and skips the render.
      last = { version, value: last && isEqual(last.value, value) ? last.value : value };
      return last.value;
    };
  }, [store, selector, isEqual]);
  const selected = useSyncExternalStore(store.subscribe, getSelection, getSelection);
  useRenderReport(kalphite, hook, selected);
  return selected;
}

/** One entity by id, or null; re-renders only when that entity changes. */
export function useEntity(id: string): AnyEntityOf<RegisteredSchema, RegisteredStrict> | null {
  return useSelection(useMemo(() => (store: RegisteredStore) => store.getById(id), [id]), Object.is, 'useEntity');
}

/** Every entity of a type (in `space`, when given); re-renders only when one of them changes. */
export function useEntities<T extends TypeName<RegisteredSchema, RegisteredStrict>>(type: T, space?: string): readonly EntityOf<RegisteredSchema, T>[] {
  return useSelection(useMemo(() => (store: RegisteredStore) => store.getByType(type, space), [type, space]), Object.is, 'useEntities');
}
