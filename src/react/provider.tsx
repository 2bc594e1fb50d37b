import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Kalphite, KalphiteOptions, KalphiteSnapshot } from '../engine/index.js';
import { prepareKalphite, type PreparedKalphite } from '../engine/kalphite.js';
import { KalphiteContext } from './context.js';

export type KalphiteProviderProps = ProvidedEngine | OwnEngine;

interface ProvidedEngine {
  /** A ready engine from `await createKalphite(...)` (or one from `openKalphite`): the app owns and closes it. */
  readonly kalphite: Kalphite;
  readonly children?: ReactNode;
}

interface OwnEngine {
  /** The provider makes its engine from these (read once, on mount: give the provider a new `key` for another engine) and closes it on unmount. */
  readonly options: KalphiteOptions;
  /** A server render's `core.snapshot()`: the first render — on the server and in the browser — shows it. */
  readonly initialSnapshot?: KalphiteSnapshot;
  readonly children?: ReactNode;
  readonly kalphite?: never;
}

/**
 * Makes one engine available to the hooks below it: the one given, or its own, made from `options`.
 * Its own renders at once from `initialSnapshot` — on the server too, where it opens nothing (no
 * PGlite during a server render) — and opens the local db in an effect, which only a browser runs.
 */
export function KalphiteProvider(props: KalphiteProviderProps) {
  if (props.kalphite) return <KalphiteContext.Provider value={props.kalphite}>{props.children}</KalphiteContext.Provider>;
  return <OwnKalphite {...props} />;
}

function OwnKalphite({ options, initialSnapshot, children }: OwnEngine) {
  // Building opens nothing and starts no timer, so a render React throws away leaves nothing behind.
  const [prepared] = useState(() => prepareKalphite(initialSnapshot === undefined ? options : { ...options, initialSnapshot }));
  useOpenWhileMounted(prepared);
  return <KalphiteContext.Provider value={prepared.kalphite}>{children}</KalphiteContext.Provider>;
}

/**
 * Opens the engine once mounted, closes it once unmounted. The close waits a tick, so StrictMode's
 * unmount-and-mount again (the same engine) keeps it open.
 */
function useOpenWhileMounted(prepared: PreparedKalphite): void {
  const closing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (closing.current !== null) clearTimeout(closing.current);
    closing.current = null;
    // A local db that does not open rejects kalphite.ready and is reported as db:open-failed.
    prepared.start().catch(() => {});
    return () => {
      // A failed last flush is reported as flush:failed; the engine is closed all the same.
      closing.current = setTimeout(() => void prepared.kalphite.close().catch(() => {}), 0);
    };
  }, [prepared]);
}
