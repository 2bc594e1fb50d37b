import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKalphite, type Kalphite } from '../src/engine/index.js';
import { freshPGlite } from '../src/test-support/pglite.js';
import { createMockSyncServer, type MockSyncServer } from './handlers.js';

const msw = setupServer();
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
afterAll(() => msw.close());

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  msw.resetHandlers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mock(): Promise<MockSyncServer> {
  const server = createMockSyncServer({ baseUrl: 'http://sync.test/api/sync', db: await freshPGlite() });
  await server.ready;
  msw.use(...server.handlers);
  cleanups.push(() => server.close());
  return server;
}

async function engine(): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), syncUrl: 'http://sync.test/api/sync', pushDelayMs: 0, flushDelayMs: 0, pullIntervalMs: 60_000 });
  cleanups.push(() => k.close());
  return k;
}

describe('the MSW handlers run the real server core', () => {
  it('two engines converge through them, pokes included', async () => {
    await mock();
    const [a, b] = await Promise.all([engine(), engine()]);
    await expect.poll(() => b.sync!.status.poke, { timeout: 10_000 }).toBe('open');
    a.store.entities.set('m1', { id: 'm1', type: 'comment', data: { message: 'through MSW' } });
    await expect.poll(() => b.store.getById('m1'), { timeout: 10_000 }).toEqual({ id: 'm1', type: 'comment', data: { message: 'through MSW' } });
    b.store.entities.delete('m1');
    await expect.poll(() => a.store.getById('m1'), { timeout: 10_000 }).toBeNull();
    await expect.poll(() => a.sync!.status.unacknowledged + b.sync!.status.unacknowledged, { timeout: 10_000 }).toBe(0);
  });

  it('answer bad requests like the real server', async () => {
    await mock();
    const response = await fetch('http://sync.test/api/sync/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'malformed-json' });
    // A body a browser could send across sites without a preflight is refused, as by the real server.
    const plain = await fetch('http://sync.test/api/sync/push', { method: 'POST', body: '{}' });
    expect(plain.status).toBe(415);
  });
});
