import { useCallback, useState, useSyncExternalStore } from 'react';
import type { SpaceInfo } from '../engine/index.js';
import { useKalphiteInstance } from '../react/index.js';

/** The space a kit component works in: the one it is given, else the engine's default space. */
export function useSpaceId(space: string | undefined): string {
  const { spaces } = useKalphiteInstance();
  return space ?? spaces.defaultSpace;
}

/**
 * What the engine knows of a space (`kalphite.spaces.get`) without opening it, re-rendering when
 * that changes: whether it may be written, its last refusal, its cookie.
 */
export function useSpaceInfo(space: string): SpaceInfo {
  const { spaces } = useKalphiteInstance();
  const get = useCallback(() => spaces.get(space), [spaces, space]);
  return useSyncExternalStore(spaces.subscribe, get, get);
}

/** Why the kit takes no writes in a space the server calls read-only: shown beside every disabled control. */
export function readOnlyReason(space: string): string {
  return `Read-only: the server lets you read ${space} but not change it.`;
}

/**
 * Runs a write and keeps what made it throw (a space that turned read-only or closed between
 * render and click: the store's typed errors), to show instead of losing the click silently.
 */
export function useGuardedWrite(): { readonly write: (fn: () => void) => boolean; readonly error: string | null; readonly dismiss: () => void } {
  const [error, setError] = useState<string | null>(null);
  const write = useCallback((fn: () => void) => {
    try {
      fn();
      setError(null);
      return true;
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
      return false;
    }
  }, []);
  const dismiss = useCallback(() => setError(null), []);
  return { write, error, dismiss };
}
