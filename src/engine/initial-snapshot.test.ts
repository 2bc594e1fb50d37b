import type { PGliteInterface } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncServer } from '../server/http.js';
import { freshPGlite } from '../test-support/pglite.js';
import { SyncedEngines } from '../test-support/sync-engines.js';
import { createKalphite, openKalphite, prepareKalphite, type Kalphite, type KalphiteOptions } from './kalphite.js';
import type { KalphiteEvent } from './events.js';

const note = (id: string, text: string) => ({ id, type: 'note', data: { text } });
const textOf = (k: Kalphite, id: string) => (k.store.getById(id)?.data as { text?: string } | undefined)?.text;

let world: SyncedEngines;
const opened: Kalphite[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((k) => k.close().catch(() => {})));
  await world?.close();
});

/** A fetch that holds every pull until `release()`: "until the first pull answers" made long. */
function heldPulls() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held: typeof fetch = async (input, init) => {
    if (String(input).includes('/pull')) await gate;
    return fetch(input, init);
  };
  return { fetch: held, release };
}

function engineAtOnce(s: SyncServer, pglite: PGliteInterface, options: KalphiteOptions): Kalphite {
  const k = openKalphite({ pglite, syncUrl: s.syncUrl, poke: false, pushDelayMs: 600_000, pullIntervalMs: 600_000, flushDelayMs: 0, ...options });
  opened.push(k);
  return k;
}

/** The server holds `x` (and `y`, which it deletes) at version 1, then `x` = 'new' at a later version; `local` pulled at version 1. */
async function staleLocalCopy() {
  world = new SyncedEngines();
  const s = await world.server();
  const writer = await world.engine(s);
  writer.store.entities.set('x', note('x', 'old'));
  writer.store.entities.set('y', note('y', 'doomed'));
  await world.settle(writer);
  const local = await freshPGlite();
  const reader = await createKalphite({ pglite: local, syncUrl: s.syncUrl, poke: false, pushDelayMs: 600_000, pullIntervalMs: 600_000, flushDelayMs: 0 });
  await reader.sync!.pull();
  expect(textOf(reader, 'x')).toBe('old');
  return { s, writer, local, reader };
}

describe('an engine usable before its local db opens (openKalphite)', () => {
  it('renders from the snapshot at once, keeps a write made before the local db opened, and persists it', async () => {
    world = new SyncedEngines();
    const s = await world.server();
    const writer = await world.engine(s);
    writer.store.entities.set('x', note('x', 'from the server'));
    await world.settle(writer);
    const snapshot = await s.core.snapshot();
    const local = await freshPGlite();
    const k = engineAtOnce(s, local, { initialSnapshot: snapshot });

    // Synchronously, before the local db has opened:
    expect(textOf(k, 'x')).toBe('from the server');
    expect(k.spaces.get('default').open).toBe(true);
    k.store.entities.set('early', note('early', 'written before the local db opened'));
    k.store.entities.set('x', note('x', 'edited early'));
    expect(k.events.some((e) => e.type === 'db:opened')).toBe(false);
    // A space opened meanwhile opens once the local db has.
    const other = k.spaces.open('other');

    await k.ready;
    await other;
    expect(k.spaces.get('other')).toMatchObject({ open: true, ready: true });
    expect(textOf(k, 'early')).toBe('written before the local db opened');
    expect(textOf(k, 'x')).toBe('edited early');
    await k.flush();
    await k.close();
    const again = await createKalphite({ pglite: local });
    opened.push(again);
    expect([textOf(again, 'early'), textOf(again, 'x')]).toEqual(['written before the local db opened', 'edited early']);
  });

  it('the snapshot’s server values win over a stale local copy until the first pull answers; then all converge', async () => {
    const { s, writer, local, reader } = await staleLocalCopy();
    await reader.close();
    writer.store.entities.set('x', note('x', 'new'));
    writer.store.entities.delete('y');
    await world.settle(writer);
    const snapshot = await s.core.snapshot();
    const pulls = heldPulls();
    const k = engineAtOnce(s, local, { initialSnapshot: snapshot, fetch: pulls.fetch });
    await k.ready;
    // The local copy (x = old, y) is older than the snapshot: memory keeps the snapshot's values.
    expect(textOf(k, 'x')).toBe('new');
    expect(k.store.getById('y')).toBeNull();

    pulls.release();
    await k.sync!.pull();
    await k.close();
    const again = await createKalphite({ pglite: local });
    opened.push(again);
    expect([textOf(again, 'x'), again.store.getById('y')]).toEqual(['new', null]);
  });

  it('an unacknowledged local write wins over the snapshot', async () => {
    const { s, writer, local, reader } = await staleLocalCopy();
    reader.store.entities.set('x', note('x', 'mine, not pushed yet'));
    await reader.flush();
    await reader.close();
    writer.store.entities.set('x', note('x', 'new'));
    await world.settle(writer);
    const pulls = heldPulls();
    const k = engineAtOnce(s, local, { initialSnapshot: await s.core.snapshot(), fetch: pulls.fetch });
    // Before the local db opened the snapshot is all there is; once it has, the local write shows.
    expect(textOf(k, 'x')).toBe('new');
    await k.ready;
    expect(textOf(k, 'x')).toBe('mine, not pushed yet');
    expect(textOf(k, 'y')).toBe('doomed');
    pulls.release();
  });

  it('a local copy newer than the snapshot wins over it', async () => {
    world = new SyncedEngines();
    const s = await world.server();
    const writer = await world.engine(s);
    writer.store.entities.set('x', note('x', 'at the snapshot'));
    await world.settle(writer);
    const snapshot = await s.core.snapshot();
    writer.store.entities.set('x', note('x', 'after it'));
    writer.store.entities.set('z', note('z', 'after it too'));
    await world.settle(writer);
    const local = await freshPGlite();
    const reader = await createKalphite({ pglite: local, syncUrl: s.syncUrl, poke: false, pushDelayMs: 600_000, pullIntervalMs: 600_000 });
    await reader.sync!.pull();
    await reader.close();

    const pulls = heldPulls();
    const k = engineAtOnce(s, local, { initialSnapshot: snapshot, fetch: pulls.fetch });
    expect(textOf(k, 'x')).toBe('at the snapshot');
    await k.ready;
    expect([textOf(k, 'x'), textOf(k, 'z')]).toEqual(['after it', 'after it too']);
    pulls.release();
  });

  it('refuses a snapshot that is not one, with a typed error naming what is wrong', () => {
    expect(() => openKalphite({ initialSnapshot: { snapshotVersion: 1, spaces: [{ space: 'a', version: 1, entities: [{ id: 'x', type: 'note', data: {}, space: 'b' }] }] } })).toThrow(
      expect.objectContaining({ code: 'invalid-options', message: expect.stringContaining('must name its space a') }),
    );
    expect(() => openKalphite({ initialSnapshot: JSON.parse('{"snapshotVersion":2,"spaces":[]}') })).toThrow(expect.objectContaining({ code: 'invalid-options' }));
  });

  it('a local db that cannot open rejects ready, reports db:open-failed and refuses writes', async () => {
    const broken = await freshPGlite();
    await broken.close();
    const k = openKalphite({ pglite: broken, initialSnapshot: { snapshotVersion: 1, spaces: [{ space: 'default', version: 1, entities: [{ ...note('x', 'shown'), space: 'default' }] }] } });
    opened.push(k);
    const events: KalphiteEvent[] = [];
    k.subscribe((event) => events.push(event));
    await expect(k.ready).rejects.toMatchObject({ code: 'db-failed' });
    expect(events.map((e) => e.type)).toContain('db:open-failed');
    expect(textOf(k, 'x')).toBe('shown');
    expect(() => k.store.entities.set('y', note('y', 'lost?'))).toThrow(expect.objectContaining({ code: 'closed' }));
  });
});

describe('an engine prepared for a server render (prepareKalphite)', () => {
  it('reads the snapshot, opens no database, and closes without one', async () => {
    const { kalphite } = prepareKalphite({ dataDir: 'idb://never-opened', initialSnapshot: { snapshotVersion: 1, spaces: [{ space: 'default', version: 3, entities: [{ ...note('x', 'rendered'), space: 'default' }] }] } });
    expect(textOf(kalphite, 'x')).toBe('rendered');
    expect(kalphite.store.getByType('note')).toHaveLength(1);
    await kalphite.close();
    expect(kalphite.closed).toBe(true);
    await expect(kalphite.ready).rejects.toMatchObject({ code: 'closed' });
    expect(kalphite.events.map((e) => e.type)).toEqual(['engine:closed']);
  });
});
