/**
 * Starts the local db's worker. The URL is written out in full beside `new Worker` so app bundlers
 * (Vite, webpack 5, Next) see the worker and build it as a chunk of its own.
 */
export function startLocalDbWorker(): Worker {
  return new Worker(new URL('./local-db.worker.js', import.meta.url), { type: 'module', name: 'kalphite-local-db' });
}
