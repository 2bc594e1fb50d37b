import { useMemo, useRef, useSyncExternalStore } from 'react';
import type { CountOptions, Entity, EntityOf, KalphiteStore, QueryOptions, TypeName } from '../engine/index.js';
import { useKalphiteInstance } from './hooks.js';
import type { RegisteredSchema, RegisteredStrict } from './register.js';
import { useRenderReport } from './use-render-report.js';

type Registered<T extends string> = EntityOf<RegisteredSchema, T>;

/**
 * A live query's rows (`store.query`), re-rendering only when they change: the same array until
 * then, so a memoized child given it skips too. Options are compared by value (`filter` by
 * identity: memoize it). The live query exists while the component is mounted; the first render
 * answers from a one-off query, and the live one takes over once it subscribes.
 */
export function useQuery<T extends TypeName<RegisteredSchema, RegisteredStrict>>(type: T, options?: QueryOptions<Registered<T>>): readonly Registered<T>[] {
  const kalphite = useKalphiteInstance();
  const source = useLiveSource(kalphite.store as unknown as KalphiteStore, type, options as QueryOptions | undefined, 'query', sameRows);
  const rows = useSyncExternalStore(source.subscribe, source.get, source.get) as readonly Registered<T>[];
  useRenderReport(kalphite, 'useQuery', rows);
  return rows;
}

/** A live count (`store.count`), re-rendering only when the number changes. */
export function useCount<T extends TypeName<RegisteredSchema, RegisteredStrict>>(type: T, options?: CountOptions<Registered<T>>): number {
  const kalphite = useKalphiteInstance();
  const source = useLiveSource(kalphite.store as unknown as KalphiteStore, type, options as CountOptions | undefined, 'count', Object.is);
  const count = useSyncExternalStore(source.subscribe, source.get, source.get);
  useRenderReport(kalphite, 'useCount', count);
  return count;
}

type Live<R> = { readonly result: R; subscribe(listener: () => void): () => void; dispose(): void };

function useLiveSource<R>(store: KalphiteStore, type: string, options: QueryOptions | undefined, kind: 'query' | 'count', same: (a: R, b: R) => boolean) {
  const latest = useRef(options);
  latest.current = options;
  const { where, orderBy, limit, space, filter } = options ?? {};
  const key = JSON.stringify([type, where ?? null, orderBy ?? null, limit ?? null, space ?? null]);
  return useMemo(() => {
    const open = (): Live<R> => (kind === 'query' ? store.query(type, latest.current) : store.count(type, latest.current)) as unknown as Live<R>;
    let live: Live<R> | null = null;
    let oneOff: { readonly version: number; readonly result: R } | null = null;
    let seen: R | undefined;
    let returned: R | undefined;
    return {
      subscribe: (notify: () => void) => {
        const query = open();
        live = query;
        const stop = query.subscribe(notify);
        return () => {
          stop();
          query.dispose();
          if (live === query) live = null;
        };
      },
      get: (): R => {
        let result: R;
        if (live !== null) result = live.result;
        else {
          // Before the commit subscribes (and in a render React throws away): nothing to dispose later.
          if (oneOff === null || oneOff.version !== store.version) {
            const query = open();
            oneOff = { version: store.version, result: query.result };
            query.dispose();
          }
          result = oneOff.result;
        }
        // The live query's first array equals the one-off's: keep the one React already has.
        if (result !== seen) {
          seen = result;
          if (returned === undefined || !same(returned, result)) returned = result;
        }
        return returned as R;
      },
    };
    // `key` stands for the options by value, `filter` by identity; `latest` reads them when opening.
  }, [store, kind, key, filter]);
}

function sameRows(a: unknown, b: unknown): boolean {
  const x = a as readonly Entity[];
  const y = b as readonly Entity[];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
