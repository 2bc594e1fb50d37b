import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKalphite, type Kalphite } from '../src/engine/index.js';
import { freshPGlite } from '../src/test-support/pglite.js';
import type { ResolverContext } from '../src/server/mutations.js';
import { createMockSyncServer, type MockSyncServer, type MockSyncServerOptions } from './handlers.js';

const msw = setupServer();
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
afterAll(() => msw.close());

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  msw.resetHandlers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mock(options: Omit<MockSyncServerOptions, 'baseUrl' | 'db'> = {}): Promise<MockSyncServer> {
  const server = createMockSyncServer({ baseUrl: 'http://sync.test/api/sync', db: await freshPGlite(), ...options });
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
    await expect.poll(() => b.store.getById('m1'), { timeout: 10_000 }).toEqual({ id: 'm1', type: 'comment', data: { message: 'through MSW' }, space: 'default' });
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

  it('pass authenticate, authorize and the resolvers with their context through to the core', async () => {
    const contexts: ResolverContext[] = [];
    await mock({
      authenticate: (request) => ({ id: request.headers.get('authorization') ?? 'nobody' }),
      authorize: ({ user, space }) => space !== 'secret' || user.id === 'alice',
      resolvers: { note: (incoming, _current, context) => (contexts.push(context), incoming) },
    });
    const post = (route: string, user: string, body: object) =>
      fetch(`http://sync.test/api/sync/${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: user }, body: JSON.stringify(body) });
    const push = { pushVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', mutations: [{ clientID: 'c', id: 1, name: 'upsert', args: { id: 'n', type: 'note', data: {} }, timestamp: 1 }] };
    expect((await post('push?space=secret', 'alice', push)).status).toBe(200);
    expect(contexts).toEqual([{ user: { id: 'alice' }, space: 'secret', op: 'upsert' }]);
    const pull = { pullVersion: 1, clientGroupID: 'other', profileID: 'p', schemaVersion: '1', cookie: null };
    expect((await post('pull?space=secret', 'bob', pull)).status).toBe(403);
    expect(await (await post('pull?space=secret', 'alice', { ...pull, clientGroupID: 'g' })).json()).toMatchObject({ writable: true, lastMutationIDChanges: { c: 1 } });
  });
});
