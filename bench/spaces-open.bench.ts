import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createKalphite, type Kalphite } from '../src/engine/index.js';
import { createPGliteBackend } from '../src/server/pglite-backend.js';
import { startSyncServer, type SyncServer } from '../src/server/http.js';
import { freshPGlite } from './engines.js';
import { comments } from './fixtures.js';
import { median, ms, type Row } from './measure.js';

/**
 * A client holds only the spaces it opens (issue 16):
 * - opening a space of N entities on a server that holds 10 × N more in other spaces, against
 *   opening the same N on a server that holds only them (time until the first pull is in memory);
 * - the JavaScript heap after opening and closing 10 spaces of N in turn and then opening one,
 *   against an engine that only ever opened that one (closing really frees).
 */
const OTHER_SPACES = 10;

/** A real server on loopback holding `spaces` of `n` entities each, written through the core. */
async function serverWith(spaces: readonly string[], n: number): Promise<SyncServer> {
  const server = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()) });
  for (const space of spaces) {
    const entities = comments(n).map((entity) => ({ ...entity, id: `${space}/${entity.id}`, space }));
    for (let from = 0; from < n; from += 1000) {
      const mutations = entities.slice(from, from + 1000).map((args, i) => ({ clientID: `writer-${space}`, id: from + i + 1, name: 'upsert', args, timestamp: 0 }));
      await server.core.push({ pushVersion: 1, clientGroupID: `writers-${space}`, profileID: '', schemaVersion: '', mutations }, { space });
    }
  }
  return server;
}

interface Opened {
  readonly kalphite: Kalphite;
  close(): Promise<void>;
}

/** An engine that opens no space yet, over a PGlite of its own (closed with it). */
async function engineOn(server: SyncServer): Promise<Opened> {
  const pglite = await freshPGlite();
  const kalphite = await createKalphite({ pglite, syncUrl: `${server.url}/api/sync`, spaces: [], defaultSpace: 'target', poke: false, pullIntervalMs: 1e9, flushDelayMs: 1e9 });
  return {
    kalphite,
    close: async () => {
      await kalphite.close();
      await pglite.close();
    },
  };
}

/** `gc()`, made available without a command-line flag. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function heapAfter(run: () => Promise<void>): Promise<number> {
  const gc = collector();
  await run();
  // Twice: weak references and finalizers let go in the second pass.
  gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
  gc();
  return process.memoryUsage().heapUsed;
}

export async function benchSpacesOpen(n: number): Promise<Row[]> {
  const others = Array.from({ length: OTHER_SPACES }, (_, i) => `other:${i}`);
  const crowded = await serverWith(['target', ...others], n);
  const alone = await serverWith(['target'], n);
  try {
    const openOn = (server: SyncServer) =>
      median({
        runs: 5,
        warmup: 1,
        setup: () => engineOn(server),
        run: async ({ kalphite }) => {
          await kalphite.spaces.open('target');
          if (kalphite.store.entities.size !== n) throw new Error(`opened ${kalphite.store.entities.size} entities, not ${n}`);
        },
        teardown: (opened) => opened.close(),
      });
    const amongOthers = await openOn(crowded);
    const onlyThem = await openOn(alone);

    // The engines' own heap: what the process holds beyond the servers and loaded modules.
    const base = await heapAfter(async () => {});
    let kept: Opened | null = null;
    const oneOpen = (await heapAfter(async () => {
      kept = await engineOn(crowded);
      await kept.kalphite.spaces.open('target');
    })) - base;
    await kept!.close();
    const cycled = (await heapAfter(async () => {
      kept = await engineOn(crowded);
      const { kalphite } = kept;
      for (const space of others) {
        await kalphite.spaces.open(space);
        await kalphite.spaces.close(space);
      }
      await kalphite.spaces.open('target');
      if (kalphite.store.entities.size !== n) throw new Error('memory holds more than the open space');
    })) - base;
    await kept!.close();

    return [
      {
        figure: `open a space (time to its first pull in memory), the server holding ${OTHER_SPACES}× more in other spaces`,
        n,
        kalphite: ms(amongOthers),
        floor: `${ms(onlyThem)} (a server holding only it)`,
        ratio: amongOthers / onlyThem,
        target: '≤ 1.2×',
        pass: amongOthers / onlyThem <= 1.2,
      },
      {
        figure: `engine's JS heap after opening and closing ${OTHER_SPACES} spaces in turn, then one`,
        n,
        kalphite: `${(cycled / 2 ** 20).toFixed(1)} MiB`,
        floor: `${(oneOpen / 2 ** 20).toFixed(1)} MiB (only that one opened)`,
        ratio: cycled / oneOpen,
        target: '≤ 1.2×',
        pass: cycled / oneOpen <= 1.2,
      },
    ];
  } finally {
    await crowded.close();
    await alone.close();
  }
}
