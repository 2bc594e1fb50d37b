import { useEffect, useSyncExternalStore } from 'react';
import type { Kalphite, SpaceInfo } from '../engine/index.js';
import { useKalphiteInstance } from './hooks.js';

/** What `useSpace` shows of a space. */
export interface SpaceState {
  /** In memory now. */
  readonly open: boolean;
  /** Open, and its first pull has landed (or it opened offline with its local copy). */
  readonly ready: boolean;
  /** A first pull on its way: pages and entities received so far (show a progress bar). */
  readonly progress: SpaceInfo['progress'];
  /** False: local writes throw `read-only-space` (the server says so); null: not known yet. */
  readonly writable: boolean | null;
  /** Why it could not be opened, or closed on its own (`forbidden`: read access lost). */
  readonly error: SpaceInfo['error'];
  /** This client's newest write the server refused here, with its reason. */
  readonly lastRefusal: SpaceInfo['lastRefusal'];
}

export interface UseSpaceOptions {
  /** How long a space opened by this hook stays open after its last user unmounts (default 5 s), so navigating back is instant. */
  readonly graceMs?: number;
}

/**
 * Opens `id` while a component using it is mounted: ref-counted across components, closed a grace
 * period after the last one unmounts — unless it was open before any of them asked.
 */
export function useSpace(id: string, options: UseSpaceOptions = {}): SpaceState {
  const kalphite = useKalphiteInstance();
  const graceMs = options.graceMs ?? 5000;
  useEffect(() => retain(kalphite, id, graceMs), [kalphite, id, graceMs]);
  const info = useSyncExternalStore(kalphite.spaces.subscribe, () => kalphite.spaces.get(id), () => kalphite.spaces.get(id));
  return { open: info.open, ready: info.ready, progress: info.progress, writable: info.writable, error: info.error, lastRefusal: info.lastRefusal };
}

interface Hold {
  users: number;
  /** Whether the hook opened it (and so closes it). */
  opened: boolean;
  closing: ReturnType<typeof setTimeout> | null;
}

const holds = new WeakMap<Kalphite, Map<string, Hold>>();

function retain(kalphite: Kalphite, id: string, graceMs: number): () => void {
  let spaces = holds.get(kalphite);
  if (!spaces) holds.set(kalphite, (spaces = new Map()));
  let hold = spaces.get(id);
  if (!hold) {
    hold = { users: 0, opened: !kalphite.spaces.get(id).open, closing: null };
    spaces.set(id, hold);
    // A failure shows as the space's `error`, which the hook returns.
    if (hold.opened) kalphite.spaces.open(id).catch(() => {});
  }
  hold.users++;
  if (hold.closing !== null) clearTimeout(hold.closing);
  hold.closing = null;
  const held = hold;
  return () => {
    if (--held.users > 0) return;
    held.closing = setTimeout(() => {
      spaces.delete(id);
      // Closing flushes first; a failed flush is reported as flush:failed and retried by the engine.
      if (held.opened && !kalphite.closed) kalphite.spaces.close(id).catch(() => {});
    }, graceMs);
  };
}
