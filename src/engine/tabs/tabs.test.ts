import type { PGliteInterface } from '@electric-sql/pglite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPGliteBackend } from '../../server/pglite-backend.js';
import { startSyncServer } from '../../server/http.js';
import { freshPGlite } from '../../test-support/pglite.js';
import { createLockRegistry, createTestTab } from '../../test-support/tabs.js';
import type { Entity } from '../store/entity.js';
import { createKalphite, type Kalphite, type KalphiteOptions } from '../kalphite.js';
import { TAB_PROTOCOL } from './tab-messages.js';

const note = (id: string, text: string, space = 'default'): Entity => ({ id, type: 'note', data: { text }, space });

const open: Kalphite[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((k) => k.close().catch(() => {})));
});

let dirs = 0;
/** Tabs of one browser profile: one lock registry, one database (only the leader opens it), one channel name. */
async function profile(syncUrl?: string) {
  const locks = createLockRegistry();
  const pglite = await freshPGlite();
  const dataDir = `memory://tabs-${process.pid}-${++dirs}`;
  const openTab = async (options: Pick<KalphiteOptions, 'spaces' | 'defaultSpace'> = {}) => {
    const tab = createTestTab(locks);
    const sync = syncUrl === undefined ? {} : { syncUrl, pushDelayMs: 0, pullIntervalMs: 60_000 };
    const kalphite = await createKalphite({ dataDir, pglite, tabs: tab.link, flushDelayMs: 0, ...sync, ...options });
    open.push(kalphite);
    return Object.assign(tab, { kalphite });
  };
  return { pglite, openTab };
}

async function outbox(pglite: PGliteInterface) {
  const { rows } = await pglite.query<{ client_id: string; id: number; entity_id: string }>('SELECT client_id, id, entity_id FROM client_changes ORDER BY seq');
  return rows;
}

describe('tabs sharing one database', () => {
  it('elects one leader; a write in any tab reaches every tab’s memory and is persisted once', async () => {
    const { pglite, openTab } = await profile();
    const a = await openTab();
    const b = await openTab();
    expect(a.kalphite.inspect().tabs.role).toBe('leader');
    expect(b.kalphite.inspect().tabs.role).toBe('follower');
    await vi.waitFor(() => expect([a.kalphite.inspect().tabs.count, b.kalphite.inspect().tabs.count]).toEqual([2, 2]));
    expect(b.kalphite.profileId).toBe(a.kalphite.profileId);

    a.kalphite.store.entities.set('from-a', note('from-a', 'leader'));
    b.kalphite.store.entities.set('from-b', note('from-b', 'follower'));
    await vi.waitFor(() => {
      expect(a.kalphite.store.getById('from-b')).toEqual(note('from-b', 'follower'));
      expect(b.kalphite.store.getById('from-a')).toEqual(note('from-a', 'leader'));
    });
    await Promise.all([a.kalphite.flush(), b.kalphite.flush()]);
    const rows = await outbox(pglite);
    expect(rows.map((r) => [r.entity_id, r.client_id, r.id]).sort()).toEqual(
      [
        ['from-a', a.kalphite.clientId, 1],
        ['from-b', b.kalphite.clientId, 1],
      ].sort(),
    );
    // The follower's flush hears its mutation id from the leader.
    expect(b.kalphite.events.filter((e) => e.type === 'flush:committed')).toMatchObject([{ ids: ['from-b'], spaces: ['default'], mutationIds: [1] }]);
  });

  it('the leader syncs the union of the tabs’ spaces; each tab’s memory holds its own', async () => {
    const server = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()) });
    try {
      const url = `${server.url}/api/sync`;
      const other = await createKalphite({ pglite: await freshPGlite(), syncUrl: url, spaces: ['review:1', 'review:2'], defaultSpace: 'review:1', pushDelayMs: 0, flushDelayMs: 0 });
      open.push(other);
      other.store.entities.set('r1', note('r1', 'in review 1', 'review:1'));
      other.store.entities.set('r2', note('r2', 'in review 2', 'review:2'));
      await other.flush();
      await other.sync!.push();

      const { openTab } = await profile(url);
      const a = await openTab();
      const b = await openTab({ spaces: ['review:2'], defaultSpace: 'review:2' });
      expect(b.kalphite.inspect().tabs.role).toBe('follower');
      await vi.waitFor(() => expect(b.kalphite.store.getById('r2')).toMatchObject({ data: { text: 'in review 2' } }));
      await b.kalphite.spaces.open('review:1');
      expect(b.kalphite.store.getById('r1')).toMatchObject({ space: 'review:1' });
      // The leader syncs both review spaces for its follower, but holds neither in memory.
      expect(a.kalphite.store.getById('r1')).toBeNull();
      expect(a.kalphite.store.getById('r2')).toBeNull();
      expect(a.kalphite.sync!.status.spaces.filter((s) => s.syncing).map((s) => s.space).sort()).toEqual(['default', 'review:1', 'review:2']);
      // The leader knows which tabs hold each space; a follower cannot.
      expect(['default', 'review:1', 'review:2'].map((space) => a.kalphite.spaces.get(space).tabs)).toEqual([1, 1, 1]);
      expect(b.kalphite.spaces.get('review:1').tabs).toBeNull();

      // Another client's write reaches the follower through the leader's pull.
      other.store.entities.set('r1', note('r1', 'edited elsewhere', 'review:1'));
      await other.flush();
      await other.sync!.push();
      await a.kalphite.sync!.pull();
      await vi.waitFor(() => expect(b.kalphite.store.getById('r1')).toMatchObject({ data: { text: 'edited elsewhere' } }));
      expect(a.kalphite.store.getById('r1')).toBeNull();

      // The follower's write goes through the leader to the server.
      b.kalphite.store.entities.set('b1', note('b1', 'from the follower', 'review:1'));
      await b.kalphite.flush();
      await a.kalphite.sync!.push();
      await other.sync!.pull();
      expect(other.store.getById('b1')).toMatchObject({ data: { text: 'from the follower' } });

      // Closed in the only tab holding it: the leader stops syncing it once its writes are acknowledged.
      await a.kalphite.sync!.pull();
      await b.kalphite.spaces.close('review:1');
      await vi.waitFor(() => expect(a.kalphite.sync!.status.spaces.find((s) => s.space === 'review:1')?.syncing).toBe(false));
      expect(b.kalphite.store.getById('r1')).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('a tab opened later starts with everything; the last write to an entity wins in every tab', async () => {
    const { openTab } = await profile();
    const a = await openTab();
    const b = await openTab();
    a.kalphite.store.entities.set('x', note('x', 'first'));
    await a.kalphite.flush();
    b.kalphite.store.entities.set('x', note('x', 'second'));
    await b.kalphite.flush();
    const c = await openTab();
    expect(c.kalphite.store.getById('x')).toEqual(note('x', 'second'));
    await vi.waitFor(() => expect(a.kalphite.store.getById('x')).toEqual(note('x', 'second')));
    await vi.waitFor(() => expect(a.kalphite.inspect().tabs.count).toBe(3));
  });

  it('when the leader closes, another tab takes over and nothing written on either side is lost', async () => {
    const { pglite, openTab } = await profile();
    const a = await openTab();
    const b = await openTab();
    a.kalphite.store.entities.set('a1', note('a1', 'before'));
    await a.kalphite.flush();
    const closing = a.kalphite.close();
    b.kalphite.store.entities.set('b1', note('b1', 'during the hand-over'));
    await closing;
    await vi.waitFor(() => expect(b.kalphite.inspect().tabs.role).toBe('leader'));
    b.kalphite.store.entities.set('b2', note('b2', 'after'));
    await b.kalphite.flush();
    expect(new Set((await outbox(pglite)).map((r) => r.entity_id))).toEqual(new Set(['a1', 'b1', 'b2']));
    expect(await outbox(pglite)).toHaveLength(3);
    expect(b.kalphite.store.getById('a1')).toEqual(note('a1', 'before'));
  });

  it('when the leader crashes, unanswered batches go to the next leader and are written once', async () => {
    const { pglite, openTab } = await profile();
    const a = await openTab();
    const b = await openTab();
    const c = await openTab();
    // The leader hears nothing more: c's write is sent to it and never answered.
    a.crash();
    c.kalphite.store.entities.set('c1', note('c1', 'sent to a dead leader'));
    b.kalphite.store.entities.set('b1', note('b1', 'also'));
    await vi.waitFor(() => expect([b.kalphite, c.kalphite].filter((k) => k.inspect().tabs.role === 'leader')).toHaveLength(1));
    await Promise.all([b.kalphite.flush(), c.kalphite.flush()]);
    const rows = await outbox(pglite);
    expect(rows.map((r) => r.entity_id).sort()).toEqual(['b1', 'c1']);
    await vi.waitFor(() => {
      for (const k of [b.kalphite, c.kalphite]) expect([k.store.getById('b1'), k.store.getById('c1')]).toEqual([note('b1', 'also'), note('c1', 'sent to a dead leader')]);
    });
  });

  it('a tab that cannot open the local db when it takes over says so, keeps its writes in memory, and tries again', async () => {
    const { pglite, openTab } = await profile();
    const a = await openTab();
    const b = await openTab();
    await pglite.close();
    a.crash();
    b.kalphite.store.entities.set('kept', note('kept', 'in memory'));
    await vi.waitFor(() => expect(b.kalphite.events.some((e) => e.type === 'tabs:takeover-failed')).toBe(true));
    expect(b.kalphite.inspect().lastError).toMatchObject({ code: 'db-failed' });
    expect(b.kalphite.store.getById('kept')).toEqual(note('kept', 'in memory'));
    await vi.waitFor(() => expect(b.kalphite.events.filter((e) => e.type === 'tabs:takeover-failed').length).toBeGreaterThan(1), { timeout: 5_000 });
  });

  it('with sync: only the leader pushes and pulls; every tab’s writes reach the server once, pulls reach every tab', async () => {
    const server = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()) });
    try {
      const browser = await profile(`${server.url}/api/sync`);
      const a = await browser.openTab();
      const b = await browser.openTab();
      // Both have a sync; the follower's is the leader's, seen and driven from the follower.
      expect(b.kalphite.sync).not.toBeNull();
      a.kalphite.store.entities.set('a1', note('a1', 'from a'));
      b.kalphite.store.entities.set('b1', note('b1', 'from b'));
      await Promise.all([a.kalphite.flush(), b.kalphite.flush()]);
      await vi.waitFor(() => expect(a.kalphite.inspect().outbox.length).toBe(0), { timeout: 10_000 });
      const other = await server.core.pull({ pullVersion: 1, clientGroupID: 'observer', profileID: '', schemaVersion: '', cookie: null });
      expect(other.patch.filter((op) => op.op === 'put').map((op) => (op.op === 'put' ? op.key : '')).sort()).toEqual(['a1', 'b1']);
      // Another profile writes; the leader pulls it and both tabs have it.
      const elsewhere = await profile(`${server.url}/api/sync`);
      const c = await elsewhere.openTab();
      c.kalphite.store.entities.set('c1', note('c1', 'from another browser'));
      await c.kalphite.flush();
      await c.kalphite.sync!.push();
      await a.kalphite.sync!.pull();
      await vi.waitFor(() => expect(b.kalphite.store.getById('c1')).toEqual(note('c1', 'from another browser')));
      await vi.waitFor(() => {
        expect(b.kalphite.sync!.status).toMatchObject({ online: true, unacknowledged: 0, clientId: b.kalphite.clientId, profileId: a.kalphite.profileId });
        // The follower's own mutation id in the space, not the leader's.
        expect(b.kalphite.sync!.status.spaces.find((s) => s.space === 'default')).toMatchObject({ acknowledgedMutationId: 1, clientGroupId: a.kalphite.profileId });
      });
      expect(b.kalphite.events.some((e) => e.type === 'sync:pull-succeeded')).toBe(true);
      // Calls go to the leader and come back with its answer.
      c.kalphite.store.entities.set('c2', note('c2', 'second'));
      await c.kalphite.flush();
      await c.kalphite.sync!.push();
      await b.kalphite.sync!.pull();
      await vi.waitFor(() => expect(b.kalphite.store.getById('c2')).toEqual(note('c2', 'second')));
      await expect(b.kalphite.sync!.verify()).resolves.toMatchObject({ matches: true, serverEntities: 4 });
      await expect(b.kalphite.sync!.verify('review:1')).resolves.toMatchObject({ matches: true, serverEntities: 0 });
      b.kalphite.sync!.pause();
      await vi.waitFor(() => expect([a.kalphite.sync!.status.paused, b.kalphite.sync!.status.paused]).toEqual([true, true]));
    } finally {
      await Promise.all(open.splice(0).map((k) => k.close().catch(() => {})));
      await server.close();
    }
  });
});

describe('tabs of different releases', () => {
  // Older releases' snapshots, as they sent them: protocol 1 named none, protocol 2 named its group, not a profile.
  it.each([
    [1, {}],
    [2, { protocol: 2 }],
  ])('a tab whose leader speaks tab protocol %i says so and fails to open instead of waiting', async (protocol, fields) => {
    const dataDir = `memory://tabs-${process.pid}-${++dirs}`;
    const tab = createTestTab(createLockRegistry());
    // An older release's leader holds the lock and answers a hello with its snapshot.
    const oldLeader = tab.link.channel(`kalphite:${dataDir}`);
    const stop = oldLeader.subscribe((message) => {
      const { kind, from } = message as { kind: string; from: string };
      if (kind === 'hello') oldLeader.post({ kind: 'snapshot', from: 'old-leader', to: from, clientGroupId: 'g', entities: [], tabs: 2, sync: null, ...fields });
    });
    const neverGranted = { lock: () => () => {}, channel: (name: string) => tab.link.channel(name) };
    const opening = createKalphite({ dataDir, pglite: await freshPGlite(), tabs: neverGranted });
    await expect(opening).rejects.toMatchObject({ code: 'incompatible-tab', message: expect.stringContaining(`tab protocol ${protocol}`) });
    stop();
    oldLeader.close();
  });

  it('a message that fails its shape check is counted and reported once', async () => {
    const { openTab } = await profile();
    const a = await openTab();
    const stranger = createTestTab(createLockRegistry()).link.channel(`kalphite:${a.kalphite.dataDir}`);
    // A snapshot of this tab protocol without a profile or entities.
    stranger.post({ kind: 'snapshot', from: 'x', to: 'y', protocol: TAB_PROTOCOL });
    stranger.post('not even an object');
    stranger.post({ kind: 'changes', from: 'x', changes: [['id', { id: 'other', type: 't', data: {} }]] });
    await vi.waitFor(() => expect(a.kalphite.inspect().tabs.refusedMessages).toBe(3));
    expect(a.kalphite.events.filter((e) => e.type === 'tabs:message-refused')).toHaveLength(1);
    stranger.close();
  });
});
