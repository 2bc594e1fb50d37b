import { afterEach, describe, expect, it } from 'vitest';
import { Replicache, TEST_LICENSE_KEY, type WriteTransaction } from 'replicache';
import { createKalphite, type Entity, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { startSyncServer, type SyncServer } from './http.js';
import { createPGliteBackend } from './pglite-backend.js';

// The unmodified Replicache client (a pinned dev dependency, never imported from src/) as an
// independent peer: if it converges with Kalphite through our server, the server speaks the protocol.
const mutators = {
  async upsert(tx: WriteTransaction, entity: Entity) {
    await tx.set(entity.id, entity as never);
  },
  async delete(tx: WriteTransaction, args: { id: string }) {
    await tx.del(args.id);
  },
};

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function replicache(server: SyncServer, name: string, space?: string) {
  const query = space === undefined ? '' : `?space=${encodeURIComponent(space)}`;
  const rep = new Replicache({
    name,
    licenseKey: TEST_LICENSE_KEY,
    pushURL: `${server.url}/api/sync/push${query}`,
    pullURL: `${server.url}/api/sync/pull${query}`,
    mutators,
    kvStore: 'mem',
    pullInterval: null,
    pushDelay: 0,
  });
  cleanups.push(() => rep.close());
  return rep;
}

async function scan(rep: Replicache<typeof mutators>): Promise<Record<string, unknown>> {
  const entries = await rep.query((tx) => tx.scan().entries().toArray());
  return Object.fromEntries(entries);
}

describe('Replicache interop', () => {
  it('the unmodified replicache client and Kalphite engines write through one server and converge', async () => {
    const server = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()) });
    cleanups.push(() => server.close());
    const k: Kalphite = await createKalphite({ pglite: await freshPGlite(), syncUrl: `${server.url}/api/sync`, pushDelayMs: 0, flushDelayMs: 0, poke: false, pullIntervalMs: 600_000 });
    cleanups.push(() => k.close());
    const rep = await replicache(server, `interop-${Date.now()}`);

    k.store.entities.set('from-kalphite', { id: 'from-kalphite', type: 'note', data: { text: 'hi replicache' } });
    k.store.entities.set('doomed', { id: 'doomed', type: 'note', data: { text: 'to delete' } });
    await k.flush();
    await k.sync!.push();

    await rep.mutate.upsert({ id: 'from-replicache', type: 'note', data: { text: 'hi kalphite' } });
    await rep.pull();
    await expect.poll(async () => Object.keys(await scan(rep)).sort(), { timeout: 10_000 }).toEqual(['doomed', 'from-kalphite', 'from-replicache']);
    await rep.mutate.delete({ id: 'doomed' });
    // Replicache learns a push was applied from the next pull (pokes would trigger it in an app).
    await expect
      .poll(async () => {
        await rep.pull();
        return (await rep.experimentalPendingMutations()).length;
      }, { timeout: 10_000 })
      .toBe(0);

    await k.sync!.pull();
    // The server stores every entity naming its space, so both clients hold the same value.
    expect(k.store.getById('from-replicache')).toEqual({ id: 'from-replicache', type: 'note', data: { text: 'hi kalphite' }, space: 'default' });
    expect(k.store.getById('doomed')).toBeNull();
    await rep.pull();
    expect(await scan(rep)).toEqual(Object.fromEntries([...k.store.entities].sort(([a], [b]) => a.localeCompare(b))));
  });

  it('an unmodified replicache client syncing one space through ?space= converges with Kalphite engines there and sees nothing of another', async () => {
    const server = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()) });
    cleanups.push(() => server.close());
    const stamp = Date.now();
    const one = await replicache(server, `space-one-${stamp}`, 'review:1');
    const two = await replicache(server, `space-two-${stamp}`, 'review:2');
    const alsoOne = await replicache(server, `space-one-again-${stamp}`, 'review:1');
    const k = await createKalphite({ pglite: await freshPGlite(), syncUrl: `${server.url}/api/sync`, spaces: ['review:1'], defaultSpace: 'review:1', pushDelayMs: 0, flushDelayMs: 0, poke: false, pullIntervalMs: 600_000 });
    cleanups.push(() => k.close());
    k.store.entities.set('from-kalphite', { id: 'from-kalphite', type: 'comment', data: { text: 'in review 1, from Kalphite' } });
    await k.flush();
    await k.sync!.push();

    await one.mutate.upsert({ id: 'first', type: 'comment', data: { text: 'in review 1' } });
    await two.mutate.upsert({ id: 'second', type: 'comment', data: { text: 'in review 2, private' } });
    await alsoOne.mutate.upsert({ id: 'third', type: 'comment', data: { text: 'in review 1 too' } });
    // Each learns its pushes were applied from its next pull.
    const settled = async (rep: Replicache<typeof mutators>) => {
      await expect
        .poll(async () => {
          await rep.pull();
          return (await rep.experimentalPendingMutations()).length;
        }, { timeout: 10_000 })
        .toBe(0);
      return scan(rep);
    };
    const inOne = {
      first: { id: 'first', type: 'comment', data: { text: 'in review 1' }, space: 'review:1' },
      'from-kalphite': { id: 'from-kalphite', type: 'comment', data: { text: 'in review 1, from Kalphite' }, space: 'review:1' },
      third: { id: 'third', type: 'comment', data: { text: 'in review 1 too' }, space: 'review:1' },
    };
    expect(await settled(one)).toEqual(inOne);
    expect(await settled(alsoOne)).toEqual(inOne);
    expect(await settled(two)).toEqual({ second: { id: 'second', type: 'comment', data: { text: 'in review 2, private' }, space: 'review:2' } });
    await k.sync!.pull();
    expect(Object.fromEntries([...k.store.entities].sort(([a], [b]) => a.localeCompare(b)))).toEqual(inOne);
  });
});
