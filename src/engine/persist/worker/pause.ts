import type { PGliteInterface } from '@electric-sql/pglite';
import { LocalDbWorkerClient } from './worker-client.js';

/** How many ops a flush batch encodes between two pauses (about 1 ms of the page's main thread each). */
export const OPS_BETWEEN_PAUSES = 1000;

/**
 * What the local db awaits between chunks of work it does on the page's main thread (encoding a
 * flush batch) when its SQL runs in a worker: a task boundary, so input and frames run between
 * chunks. Null where PGlite runs on this thread: its SQL blocks far longer than encoding does.
 */
export function pauseFor(db: PGliteInterface): (() => Promise<void>) | null {
  return db instanceof LocalDbWorkerClient ? nextTask : null;
}

/** Resolves in a new task; a MessageChannel's message is not clamped as nested timers are. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
