import { useEffect, useState, type ReactNode } from 'react';
import { createKalphite, type Kalphite, type KalphiteOptions } from '../../src/engine/index.js';
import { KalphiteProvider } from '../../src/react/index.js';
import { showInKalphitePanel } from '../../src/storybook/index.js';

export interface LiveEngineProps {
  readonly options?: KalphiteOptions;
  /** Runs once the engine is ready, before the children render (seed data, say). */
  readonly onReady?: (kalphite: Kalphite) => void;
  /** Names this engine in its loading message (when a story has several). */
  readonly label?: string;
  readonly children: ReactNode | ((kalphite: Kalphite) => ReactNode);
}

/**
 * A real engine for one story: its own in-memory PGlite (a docs page renders several stories at
 * once, and two engines must never share a database), closed when the story unmounts.
 */
export function LiveEngine({ options, onReady, label, children }: LiveEngineProps) {
  const [kalphite, setKalphite] = useState<Kalphite | null>(null);
  const [error, setError] = useState<Error | null>(null);

  // Storybook's Kalphite panel shows the engine while the story renders; declared first, so on
  // unmount the panel lets go of the engine before the effect below closes it.
  useEffect(() => (kalphite ? showInKalphitePanel(kalphite, label ? { label } : {}) : undefined), [kalphite, label]);

  useEffect(() => {
    let disposed = false;
    let opened: Kalphite | null = null;
    createKalphite({ dataDir: 'memory://', ...options }).then(
      (instance) => {
        opened = instance;
        if (disposed) {
          void instance.close();
          return;
        }
        onReady?.(instance);
        setKalphite(instance);
      },
      (reason: unknown) => setError(reason instanceof Error ? reason : new Error(String(reason))),
    );
    return () => {
      disposed = true;
      void opened?.close();
    };
    // One engine per mount: options are read once, like a database connection.
  }, []);

  if (error) return <p role="alert">Could not open the local database: {error.message}</p>;
  if (!kalphite) return <p role="status">{label ? `${label}: opening` : 'Opening'} the local database…</p>;
  return <KalphiteProvider kalphite={kalphite}>{typeof children === 'function' ? children(kalphite) : children}</KalphiteProvider>;
}
