import type { ReactNode } from 'react';
import type { Kalphite } from '../engine/index.js';
import { KalphiteContext } from './context.js';

export interface KalphiteProviderProps {
  /** A ready engine from `await createKalphite(...)`. */
  readonly kalphite: Kalphite;
  readonly children?: ReactNode;
}

/** Makes one engine available to the hooks below it. */
export function KalphiteProvider({ kalphite, children }: KalphiteProviderProps) {
  return <KalphiteContext.Provider value={kalphite}>{children}</KalphiteContext.Provider>;
}
