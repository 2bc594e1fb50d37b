/**
 * How tabs of one origin that share a `dataDir` find each other: a lock only one of them holds
 * (the leader, who opens the local db) and a channel they all hear. Browsers have both (Web Locks,
 * BroadcastChannel); tests inject their own lock.
 */
export interface TabLink {
  /**
   * Queues for the lock `name`; calls `onAcquired` once this tab holds it. The lock is held until
   * the returned function is called or the tab goes away (closed or crashed), then the next waiting
   * tab gets it.
   */
  lock(name: string, onAcquired: () => void): () => void;
  /** A channel every tab that opens `name` hears (not the sender itself). */
  channel(name: string): TabChannel;
}

export interface TabChannel {
  post(message: unknown): void;
  subscribe(listener: (message: unknown) => void): () => void;
  close(): void;
}

/** Web Locks + BroadcastChannel, or null where either is missing (Node, old browsers): one tab then. */
export function browserTabLink(): TabLink | null {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks || typeof globalThis.BroadcastChannel !== 'function') return null;
  return {
    lock(name, onAcquired) {
      const abort = new AbortController();
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      locks
        .request(name, { signal: abort.signal }, () => {
          onAcquired();
          return held;
        })
        .catch(() => {
          // Aborted before it was granted: this tab stopped waiting.
        });
      return () => {
        abort.abort();
        release();
      };
    },
    channel: broadcastChannel,
  };
}

/** BroadcastChannel as a TabChannel (browsers and Node both have it). */
export function broadcastChannel(name: string): TabChannel {
  const channel = new BroadcastChannel(name);
  return {
    post: (message) => channel.postMessage(message),
    subscribe(listener) {
      const handler = (event: MessageEvent) => listener(event.data);
      channel.addEventListener('message', handler as EventListener);
      return () => channel.removeEventListener('message', handler as EventListener);
    },
    close: () => channel.close(),
  };
}
