import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freshPGlite } from '../test-support/pglite.js';
import { SyncedEngines } from '../test-support/sync-engines.js';
import { createKalphite, type KalphiteEvent, type Migrate } from './index.js';

// Version 1 of an app: a comment's text is `text`. Version 2 calls it `body` and adds `resolved` (default false).
const v1 = { comment: z.object({ text: z.string() }) };
const v2 = { comment: z.object({ body: z.string(), resolved: z.boolean().default(false) }) };
const migrate: Migrate = ({ entity, fromVersion }) => (fromVersion < 2 ? { body: (entity.data as { text: string }).text } : entity.data);

const comment = (id: string, data: object) => ({ id, type: 'comment', data: data as never });
const eventsOf = <T extends KalphiteEvent['type']>(k: { readonly events: readonly KalphiteEvent[] }, type: T) => k.events.filter((e): e is Extract<KalphiteEvent, { type: T }> => e.type === type);

const synced = new SyncedEngines();
afterEach(() => synced.close());

describe('two schema versions of one app', () => {
  it('a newer engine migrates what an older one left in the same local db (entities and unpushed writes) before memory loads, and pushes the new shape', async () => {
    const server = await synced.server();
    const pglite = await freshPGlite();
    // Offline: its writes stay in the outbox.
    const old = await createKalphite({ pglite, schema: v1, schemaVersion: 1, flushDelayMs: 0 });
    old.store.entities.set('c1', comment('c1', { text: 'first' }));
    old.store.entities.set('c2', comment('c2', { text: 'second' }));
    await old.flush();
    old.store.entities.set('c2', comment('c2', { text: 'second, edited' }));
    await old.close();

    const next = await synced.engine(server, { pglite, schema: v2, schemaVersion: 2, migrate });
    expect(next.store.getById('c1')?.data).toEqual({ body: 'first', resolved: false });
    expect(next.store.getById('c2')?.data).toEqual({ body: 'second, edited', resolved: false });
    expect(eventsOf(next, 'schema:migrated')).toMatchObject([{ from: 1, to: 2, entities: 2, outbox: 3 }]);
    await synced.settle(next);
    expect(await synced.serverState(server)).toMatchObject({
      c1: { data: { body: 'first', resolved: false } },
      c2: { data: { body: 'second, edited', resolved: false } },
    });
  });

  it('an older engine holds aside what a newer one wrote (memory keeps its value, the cookie moves on); opened again as the newer app, it applies it without a re-pull', async () => {
    const server = await synced.server();
    const writer = await synced.engine(server, { schema: v2, schemaVersion: 2, migrate });
    const pglite = await freshPGlite();
    const old = await synced.engine(server, { pglite, schema: v1, schemaVersion: 1 });
    old.store.entities.set('c1', comment('c1', { text: 'from the old app' }));
    await synced.settle(old, writer);
    writer.store.entities.set('c1', comment('c1', { body: 'from the new app' }));
    writer.store.entities.set('c2', comment('c2', { body: 'new' }));
    await synced.settle(writer);
    await old.sync!.pull();

    expect(old.store.getById('c1')?.data).toEqual({ text: 'from the old app' });
    expect(old.store.getById('c2')).toBeNull();
    expect(eventsOf(old, 'schema:held-aside').map((e) => [e.id, e.entityType, e.source, e.issues.map((i) => i.path)])).toEqual([
      ['c1', 'comment', 'pull', ['text']],
      ['c2', 'comment', 'pull', ['text']],
    ]);
    expect((await old.heldAside()).map((h) => [h.id, h.value.data])).toEqual([
      ['c1', { body: 'from the new app', resolved: false }],
      ['c2', { body: 'new', resolved: false }],
    ]);
    const cookie = old.inspect().sync?.spaces[0]?.cookie;
    expect(cookie).toBe((await server.core.pull({ pullVersion: 1, clientGroupID: 'observer', profileID: '', schemaVersion: '', cookie: null })).cookie);
    await old.close();

    // The app is updated: no syncUrl, so nothing can be pulled again.
    const updated = await createKalphite({ pglite, schema: v2, schemaVersion: 2, migrate });
    try {
      expect(updated.store.getById('c1')?.data).toEqual({ body: 'from the new app', resolved: false });
      expect(updated.store.getById('c2')?.data).toEqual({ body: 'new', resolved: false });
      expect(await updated.heldAside()).toEqual([]);
      expect(eventsOf(updated, 'schema:released').map((e) => [e.id, e.reason])).toEqual([
        ['c1', 'applied'],
        ['c2', 'applied'],
      ]);
    } finally {
      await updated.close();
    }
  });

  it('pulls and pushes carry the app schemaVersion; a server that no longer serves it refuses the pull, and says why', async () => {
    const server = await synced.server({ schemaVersions: (version) => version === '2' });
    const bodies: unknown[] = [];
    const old = await synced.engine(server, {
      schema: v1,
      schemaVersion: 1,
      fetch: (input, init) => {
        if (String(input).includes('/pull')) bodies.push(JSON.parse(String(init?.body)));
        return fetch(input, init);
      },
    });
    await expect(old.sync!.pull()).rejects.toBeDefined();
    expect(bodies[0]).toMatchObject({ pullVersion: 1, schemaVersion: '1' });
    expect(eventsOf(old, 'sync:request-failed')[0]).toMatchObject({ kind: 'pull', status: 400, error: { message: expect.stringContaining('schemaVersion "1" is not served here') } });
    // The app it serves pushes and pulls as usual: pushes carry the app's schemaVersion too.
    const current = await synced.engine(server, { schema: v2, schemaVersion: 2, migrate });
    current.store.entities.set('c1', comment('c1', { body: 'served' }));
    await synced.settle(current);
    const state = await server.core.pull({ pullVersion: 1, clientGroupID: 'observer', profileID: '', schemaVersion: '2', cookie: null });
    expect(state.patch).toContainEqual({ op: 'put', key: 'c1', value: expect.objectContaining({ data: { body: 'served', resolved: false } }) });
  });

  it('refuses a schemaVersion that is not a non-negative integer, and a migrate that is not a function', async () => {
    await expect(createKalphite({ schemaVersion: 1.5 })).rejects.toMatchObject({ code: 'invalid-options' });
    await expect(createKalphite({ migrate: 'up' as unknown as Migrate })).rejects.toMatchObject({ code: 'invalid-options' });
  });
});
