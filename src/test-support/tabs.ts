import { broadcastChannel, type TabChannel, type TabLink } from '../engine/tabs/tab-link.js';

/** Web Locks in one process: the first request holds a lock, later ones queue in order. */
export function createLockRegistry() {
  const queues = new Map<string, (() => void)[]>();
  return {
    lock(name: string, onAcquired: () => void): () => void {
      const queue = queues.get(name) ?? [];
      queues.set(name, queue);
      queue.push(onAcquired);
      if (queue.length === 1) queueMicrotask(onAcquired);
      return () => {
        const index = queue.indexOf(onAcquired);
        if (index < 0) return;
        queue.splice(index, 1);
        const next = queue[0];
        if (index === 0 && next) queueMicrotask(next);
      };
    },
  };
}

/**
 * One tab's link: the shared lock registry and Node's real BroadcastChannel. `crash()` does what a
 * killed tab does — its lock is released and its channel goes silent — without any goodbye.
 */
export function createTestTab(locks: ReturnType<typeof createLockRegistry>) {
  const releases: (() => void)[] = [];
  const channels: TabChannel[] = [];
  let crashed = false;
  const link: TabLink = {
    lock(name, onAcquired) {
      const release = locks.lock(name, () => !crashed && onAcquired());
      releases.push(release);
      return release;
    },
    channel(name) {
      const inner = broadcastChannel(name);
      const channel: TabChannel = {
        post: (message) => !crashed && inner.post(message),
        subscribe: (listener) => inner.subscribe((message) => !crashed && listener(message)),
        close: () => inner.close(),
      };
      channels.push(channel);
      return channel;
    },
  };
  return {
    link,
    crash() {
      crashed = true;
      for (const release of releases) release();
      for (const channel of channels) channel.close();
    },
  };
}
