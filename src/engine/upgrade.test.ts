import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createPGliteBackend } from '../server/pglite-backend.js';
import { startSyncServer } from '../server/http.js';
import { freshPGlite } from '../test-support/pglite.js';
import { createKalphite } from './kalphite.js';

/**
 * Upgrading an app: a client's local database and its server's, both as the release before spaces
 * wrote them (fixtures/, made with that release's own code), opened by today's engine and server.
 * Nothing written offline before the upgrade may be lost, and nothing acknowledged may be sent twice.
 */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/release-before-spaces.${name}.sql`, import.meta.url), 'utf8');

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('upgrading from the release before spaces', () => {
  it("today's engine and server open the old databases in the default space; the offline writes reach the server once", async () => {
    const serverDb = await freshPGlite();
    await serverDb.exec(fixture('server'));
    const server = await startSyncServer({ db: await createPGliteBackend(serverDb) });
    cleanups.push(() => server.close());
    const clientDb = await freshPGlite();
    await clientDb.exec(fixture('client'));
    const k = await createKalphite({ pglite: clientDb, syncUrl: `${server.url}/api/sync`, pushDelayMs: 0, flushDelayMs: 0, poke: false, pullIntervalMs: 600_000 });
    cleanups.push(() => k.close());

    // The local copy, in the default space, before any request.
    const note = (id: string, text: string) => ({ id, type: 'note', data: { text }, updatedAt: 1_700_000_000_000, space: 'default' });
    expect(k.inspect().outbox.length).toBe(3);
    expect(k.store.getById('edited')).toEqual(note('edited', 'edited offline'));
    expect(k.spaces.get('default')).toMatchObject({ open: true, cookie: 1, unacknowledged: 3 });

    await k.sync!.push();
    await k.sync!.pull();
    expect(k.inspect().outbox.length).toBe(0);
    expect(Object.fromEntries([...k.store.entities].sort(([a], [b]) => a.localeCompare(b)))).toEqual({
      edited: note('edited', 'edited offline'),
      offline: note('offline', 'created offline'),
      synced: note('synced', 'pushed and acknowledged'),
    });
    // The server applied each offline write once, after the three it had (mutation ids 4–6 of the old client).
    const pulled = await server.core.pull({ pullVersion: 1, clientGroupID: 'observer', profileID: '', schemaVersion: '', cookie: null });
    expect(pulled.patch.filter((op) => op.op === 'put').map((op) => op.key).sort()).toEqual(['edited', 'offline', 'synced']);
    expect(pulled.cookie).toBe(2);
    expect(await k.sync!.verify()).toMatchObject({ matches: true, serverEntities: 3 });
  });
});
