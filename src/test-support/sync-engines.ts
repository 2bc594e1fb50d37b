import { createPGliteBackend } from '../server/pglite-backend.js';
import { startSyncServer, type StartSyncServerOptions, type SyncServer } from '../server/http.js';
import { createKalphite, type Kalphite, type KalphiteOptions } from '../engine/kalphite.js';
import { freshPGlite } from './pglite.js';

/**
 * Engines and a real sync server on loopback that sync only when a test says so (no pokes, no
 * timers that fire within a test), so a test can put them offline and online at will.
 */
export class SyncedEngines {
  readonly #cleanups: (() => Promise<unknown>)[] = [];

  async server(options: StartSyncServerOptions = {}): Promise<SyncServer> {
    const s = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()), ...options });
    this.#cleanups.push(() => s.close());
    return s;
  }

  async engine(s: SyncServer, options: KalphiteOptions = {}): Promise<Kalphite> {
    const k = await createKalphite({
      ...(options.dataDir === undefined && { pglite: await freshPGlite() }),
      syncUrl: s.syncUrl,
      poke: false,
      pushDelayMs: 600_000,
      pullIntervalMs: 600_000,
      flushDelayMs: 0,
      ...options,
    });
    this.#cleanups.push(() => k.close());
    return k;
  }

  /** Flushes, pushes and pulls every engine, in the order given, until nothing is left to send. */
  async settle(...engines: Kalphite[]): Promise<void> {
    for (let round = 0; round < 5; round++) {
      for (const k of engines) await k.flush();
      for (const k of engines) await k.sync!.push();
      for (const k of engines) await k.sync!.pull();
      if (engines.every((k) => k.inspect().outbox.length === 0 && k.inspect().flush.pending.length === 0)) return;
    }
    throw new Error(`not settled: ${engines.map((k) => k.inspect().outbox.length).join(', ')}`);
  }

  /** What the server holds, by id (a pull from no cookie by an observer). */
  async serverState(s: SyncServer): Promise<Record<string, unknown>> {
    const pulled = await s.core.pull({ pullVersion: 1, clientGroupID: 'observer', profileID: '', schemaVersion: '', cookie: null });
    const state: Record<string, unknown> = {};
    for (const op of pulled.patch) if (op.op === 'put') state[op.key] = op.value;
    return state;
  }

  async close(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) await cleanup();
  }
}
