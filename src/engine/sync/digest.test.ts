import { afterEach, describe, expect, it } from 'vitest';
import { createPGliteBackend } from '../../server/pglite-backend.js';
import { startSyncServer, type SyncServer } from '../../server/http.js';
import { freshPGlite } from '../../test-support/pglite.js';
import { createKalphite, type Kalphite, type KalphiteOptions } from '../kalphite.js';
import type { Entity } from '../store/entity.js';

/** The divergence check end to end: engines against a real server on loopback. */

const note = (id: string, text: string, space = 'default'): Entity => ({ id, type: 'note', data: { text }, space });
const review = (id: string, status: string, space = 'default'): Entity => ({ id, type: 'review', data: { status }, space });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(): Promise<SyncServer> {
  const s = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()), authorize: ({ space }) => space !== 'secret' });
  cleanups.push(() => s.close());
  return s;
}

/** Every response body of the digest route this engine received. */
async function engine(s: SyncServer, options: KalphiteOptions = {}): Promise<{ k: Kalphite; digestBodies: string[] }> {
  const digestBodies: string[] = [];
  const k = await createKalphite({
    pglite: await freshPGlite(),
    syncUrl: `${s.url}/api/sync`,
    pushDelayMs: 0,
    pullIntervalMs: 60_000,
    flushDelayMs: 0,
    poke: false,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (new URL(String(input)).pathname.endsWith('/digest')) digestBodies.push(await response.clone().text());
      return response;
    },
    ...options,
  });
  cleanups.push(() => k.close());
  return { k, digestBodies };
}

async function synced(k: Kalphite): Promise<void> {
  await k.flush();
  await k.sync!.push();
  await k.sync!.pull();
}

describe('sync.checkDivergence', () => {
  it('after sync every type agrees, with the counts of both sides, and no entity crosses the network', async () => {
    const s = await server();
    const { k, digestBodies } = await engine(s);
    k.store.batch(() => {
      for (let i = 0; i < 30; i++) k.store.entities.set(`n${i}`, note(`n${i}`, `secret text ${i}`));
      k.store.entities.set('r1', review('r1', 'approved'));
    });
    await synced(k);
    const report = await k.sync!.checkDivergence();
    expect(report).toEqual({
      space: 'default',
      serverVersion: 1,
      cookie: 1,
      agree: true,
      types: [
        { type: 'note', local: 30, server: 30, agree: true, pending: 0 },
        { type: 'review', local: 1, server: 1, agree: true, pending: 0 },
      ],
      ids: null,
    });
    expect(digestBodies).toHaveLength(1);
    expect(digestBodies.join('')).not.toContain('secret text');
  });

  it('names what differs: a write elsewhere not pulled yet, a value changed, a local write on its way', async () => {
    const s = await server();
    const { k, digestBodies } = await engine(s);
    k.store.batch(() => {
      k.store.entities.set('n1', note('n1', 'one'));
      k.store.entities.set('n2', note('n2', 'two'));
      k.store.entities.set('r1', review('r1', 'pending'));
    });
    await synced(k);
    // Another client writes n3 and changes n2; this one has not pulled since.
    const { k: other } = await engine(s);
    await other.sync!.pull();
    other.store.batch(() => {
      other.store.entities.set('n3', note('n3', 'three'));
      other.store.entities.set('n2', note('n2', 'two, edited elsewhere'));
    });
    await other.flush();
    await other.sync!.push();
    // And this client writes n4 while paused: it is on its way, not lost.
    k.sync!.pause();
    k.store.entities.set('n4', note('n4', 'four'));
    await k.flush();

    const report = await k.sync!.checkDivergence('default', 'note');
    expect(report).toMatchObject({ serverVersion: 2, cookie: 1, agree: false });
    expect(report.types).toEqual([
      { type: 'note', local: 3, server: 3, agree: false, pending: 1 },
      { type: 'review', local: 1, server: 1, agree: true, pending: 0 },
    ]);
    expect(report.ids).toEqual({ type: 'note', missingLocally: ['n3'], missingOnServer: ['n4'], different: ['n2'], pending: ['n4'] });
    // Hashes of one type's ids, never their values.
    expect(digestBodies.join('')).not.toContain('edited elsewhere');

    k.sync!.resume();
    await synced(k);
    expect(await k.sync!.checkDivergence()).toMatchObject({ agree: true, serverVersion: 3, cookie: 3 });
  });

  it('a type only one side holds, other spaces apart, and a space the user may not read is refused', async () => {
    const s = await server();
    const { k } = await engine(s, { spaces: ['default', 'review:1'] });
    k.store.entities.set('a', note('a', 'in review:1', 'review:1'));
    await k.flush();
    k.sync!.pause();
    k.store.entities.set('d', review('d', 'only here'));
    await k.flush();
    expect(await k.sync!.checkDivergence()).toMatchObject({ agree: false, types: [{ type: 'review', local: 1, server: 0, agree: false, pending: 1 }] });
    k.sync!.resume();
    await synced(k);
    expect(await k.sync!.checkDivergence('review:1')).toMatchObject({ space: 'review:1', agree: true, types: [{ type: 'note', local: 1, server: 1 }] });
    await expect(k.sync!.checkDivergence('secret')).rejects.toMatchObject({ code: 'server-error', status: 403 });
  });
});
