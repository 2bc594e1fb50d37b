import { describe, expect, it, vi } from 'vitest';
import { defaultEnvironment } from '../environment.js';
import type { KalphiteEvent } from '../events.js';
import { MemoryStore } from '../store/store.js';
import type { SpaceSyncStatus, SyncStatus } from '../sync/sync-client.js';
import { BatchQueue } from './batch-queue.js';
import { Follower } from './follower.js';
import { idleSyncStatus } from './follower-sync.js';
import type { TabContext } from './role.js';
import { TAB_PROTOCOL, type TabMessage } from './tab-messages.js';

const note = (id: string, text: string, space = 'default') => ({ id, type: 'note', data: { text }, space });

/** The leader's sync status, as it forwards it: its own client, and one space per entry. */
const leaderStatus = (spaces: Array<Partial<SpaceSyncStatus> & { space: string }>): SyncStatus => ({
  ...idleSyncStatus(),
  online: true,
  clientId: 'leader',
  profileId: 'profile',
  spaces: spaces.map((s) => ({ syncing: true, clientGroupId: `group-${s.space}`, cookie: 1, writable: true, unacknowledged: 0, acknowledgedMutationId: 9, lastPullAt: 1, lastRefusal: null, ...s })),
});

/** The leader proxy alone: a recording channel, real memory and queue, no database, no other tab. */
function setup(pending: readonly string[] = []) {
  const posted: TabMessage[] = [];
  const events: KalphiteEvent[] = [];
  const joined = vi.fn();
  const failed = vi.fn();
  const store = new MemoryStore();
  const queue = new BatchQueue();
  const env = defaultEnvironment();
  const ctx: TabContext = {
    id: 'me',
    post: (message) => posted.push(message),
    store,
    localWrite: (id) => (pending.includes(id) ? 'whole' : undefined),
    queue,
    emit: (event) => events.push({ ...event, at: 0 } as KalphiteEvent),
    subscribe: () => () => {},
    setTabs: () => {},
    spaces: { holds: (space) => space === 'default', openIds: () => ['default'] },
  };
  const follower = new Follower(ctx, { syncs: true, env, closeWaitMs: 50, joining: { joined, failed } });
  const snapshot = (overrides: Partial<Extract<TabMessage, { kind: 'snapshot' }>> = {}) =>
    follower.handlers.snapshot?.({ kind: 'snapshot', from: 'leader', to: 'me', profileId: 'profile', entities: [note('a', 'from the leader')], tabs: 2, sync: null, protocol: TAB_PROTOCOL, ...overrides });
  return { follower, posted, events, joined, failed, store, snapshot };
}

describe('the leader proxy (a follower tab)', () => {
  it('joins on its snapshot: memory loaded, profile known; its batches then go to the leader and resolve with their mutation ids', async () => {
    const { follower, posted, joined, store, snapshot } = setup();
    const written = follower.writeBatch([{ id: 'b', type: 'note', entity: note('b', 'mine'), before: null }]);
    expect(posted).toEqual([]);
    snapshot();
    expect(joined).toHaveBeenCalledOnce();
    expect(store.getById('a')).toEqual(note('a', 'from the leader'));
    expect(follower.profileId).toBe('profile');
    expect(follower.tabs).toEqual({ role: 'follower', count: 2 });
    expect(posted).toMatchObject([{ kind: 'batch', from: 'me', clientId: 'me', batch: 1 }]);
    follower.handlers.ack?.({ kind: 'ack', from: 'leader', to: 'me', batch: 1, mutationIds: [1], error: null });
    await expect(written).resolves.toEqual([1]);
    // A batch the leader had written before (sent again after a hand-over) resolves with no ids.
    const again = follower.writeBatch([{ id: 'c', type: 'note', entity: note('c', 'mine'), before: null }]);
    follower.handlers.ack?.({ kind: 'ack', from: 'leader', to: 'me', batch: 2, mutationIds: null, error: null });
    await expect(again).resolves.toEqual([]);
  });

  it('a batch the leader could not write rejects with its reason', async () => {
    const { follower, snapshot } = setup();
    snapshot();
    const written = follower.writeBatch([{ id: 'b', type: 'note', entity: note('b', 'mine'), before: null }]);
    follower.handlers.ack?.({ kind: 'ack', from: 'leader', to: 'me', batch: 1, mutationIds: null, error: { code: 'db-failed', message: 'disk full' } });
    await expect(written).rejects.toMatchObject({ code: 'db-failed', message: expect.stringContaining('disk full') });
  });

  it('a snapshot of another tab protocol is incompatible, not a join: an event and a typed error', () => {
    const { failed, joined, events, snapshot } = setup();
    snapshot({ protocol: 1 });
    expect(failed).toHaveBeenCalledWith(expect.objectContaining({ code: 'incompatible-tab' }));
    expect(events).toMatchObject([{ type: 'tabs:incompatible', protocol: TAB_PROTOCOL, leaderProtocol: 1 }]);
    expect(joined).not.toHaveBeenCalled();
  });

  it('adopts what the leader persisted, except where this tab has a write on the way', () => {
    const { follower, store, snapshot } = setup(['mine']);
    snapshot();
    store.entities.set('mine', note('mine', 'typed here'));
    follower.handlers.persisted?.({ kind: 'persisted', from: 'leader', changes: [['mine', note('mine', 'older')], ['other', note('other', 'new')], ['a', null]] });
    expect(store.getById('mine')).toEqual(note('mine', 'typed here'));
    expect(store.getById('other')).toEqual(note('other', 'new'));
    expect(store.getById('a')).toBeNull();
  });

  it('a new leader gets every unanswered batch again and a hello', () => {
    const { follower, posted, snapshot } = setup();
    snapshot();
    void follower.writeBatch([{ id: 'b', type: 'note', entity: note('b', 'x'), before: null }]);
    posted.length = 0;
    follower.handlers.leader?.({ kind: 'leader', from: 'new-leader' });
    expect(posted.map((m) => m.kind)).toEqual(['batch', 'hello']);
  });

  it("knows the leader's spaces and whether each is writable; opens a space through the leader: its local copy, then its first pull", async () => {
    const { follower, snapshot, posted } = setup();
    snapshot({ sync: leaderStatus([{ space: 'default' }, { space: 'review:1', writable: false }]) });
    expect(follower.knownSpaces().map((s) => [s.space, s.clientGroupId, s.writable])).toEqual([
      ['default', 'group-default', true],
      ['review:1', 'group-review:1', false],
    ]);
    expect([follower.writable('default'), follower.writable('review:1'), follower.writable('unknown')]).toEqual([true, false, null]);
    posted.length = 0;
    const loading = follower.loadSpace('review:2');
    expect(posted).toMatchObject([{ kind: 'open-space', space: 'review:2' }]);
    const id = (posted[0] as Extract<TabMessage, { kind: 'open-space' }>).id;
    follower.handlers['space-loaded']?.({ kind: 'space-loaded', from: 'leader', to: 'me', id, entities: [note('r', 'copy')], error: null });
    expect(await loading).toEqual([note('r', 'copy')]);
    const syncing = follower.syncSpace('review:2');
    follower.handlers['space-synced']?.({ kind: 'space-synced', from: 'leader', to: 'me', id, error: { code: 'forbidden', message: 'not yours' } });
    await expect(syncing).rejects.toMatchObject({ code: 'forbidden' });
    await follower.closeSpace('review:2', true);
    expect(posted.at(-1)).toMatchObject({ kind: 'close-space', space: 'review:2', forget: true });
  });

  it('a space opening when the leader goes fails, so it can be opened again', async () => {
    const { follower, snapshot } = setup();
    snapshot();
    const loading = follower.loadSpace('review:3');
    follower.handlers.leader?.({ kind: 'leader', from: 'new-leader' });
    await expect(loading).rejects.toMatchObject({ code: 'not-leader' });
  });

  it('changeLog and reset belong to the leader; closing with no leader answering gives up after the wait', async () => {
    const { follower, snapshot } = setup();
    await expect(follower.changeLog()).rejects.toMatchObject({ code: 'not-leader' });
    await expect(follower.reset()).rejects.toMatchObject({ code: 'not-leader' });
    snapshot();
    const last = follower.writeBatch([{ id: 'b', type: 'note', entity: note('b', 'x'), before: null }]);
    await expect(follower.close(() => last.then(() => {}))).rejects.toMatchObject({ code: 'closed', message: expect.stringContaining('No leader tab answered') });
  });

  it('its sync is the leader’s: calls go over the channel and the leader’s events arrive as its own', async () => {
    const { follower, posted, events, snapshot } = setup();
    snapshot();
    posted.length = 0;
    const pushing = follower.sync!.push();
    expect(posted).toMatchObject([{ kind: 'sync-call', call: 'push' }]);
    const id = (posted[0] as Extract<TabMessage, { kind: 'sync-call' }>).id;
    follower.handlers['sync-answer']?.({ kind: 'sync-answer', from: 'leader', to: 'me', id, result: null, error: { code: 'network', message: 'down' } });
    await expect(pushing).rejects.toMatchObject({ code: 'network', message: 'down' });
    follower.handlers['sync-event']?.({ kind: 'sync-event', from: 'leader', event: { type: 'sync:poke', space: 'default', version: 3 }, status: { ...follower.sync!.status, online: true } });
    expect(events).toMatchObject([{ type: 'sync:poke', space: 'default', version: 3 }]);
    expect(follower.sync!.status.online).toBe(true);
  });

  it('its status shows this tab as the client: its own acknowledged mutation id in each space, not the leader\'s', () => {
    const { follower, snapshot } = setup();
    const status = leaderStatus([{ space: 'default' }, { space: 'review:1' }]);
    snapshot({ sync: status });
    const acknowledged = (space: string, byClient: Record<string, number>) =>
      follower.handlers['sync-event']?.({ kind: 'sync-event', from: 'leader', event: { type: 'outbox:acknowledged', space, upTo: byClient.leader ?? null, byClient, remaining: 0 }, status });
    acknowledged('default', { leader: 9, me: 2 });
    acknowledged('review:1', { me: 5 });
    // An older acknowledgement never moves it back.
    acknowledged('default', { me: 1 });
    expect(follower.sync!.status).toMatchObject({ clientId: 'me', profileId: 'profile' });
    expect(follower.sync!.status.spaces.map((s) => [s.space, s.acknowledgedMutationId])).toEqual([
      ['default', 2],
      ['review:1', 5],
    ]);
  });

  it('verify names its space to the leader', async () => {
    const { follower, posted, snapshot } = setup();
    snapshot();
    posted.length = 0;
    const verifying = follower.sync!.verify('review:1');
    void follower.sync!.verify();
    expect(posted).toMatchObject([
      { kind: 'sync-call', call: 'verify', space: 'review:1' },
      { kind: 'sync-call', call: 'verify' },
    ]);
    expect('space' in posted[1]!).toBe(false);
    const id = (posted[0] as Extract<TabMessage, { kind: 'sync-call' }>).id;
    const result = { matches: true, serverEntities: 1, missingLocally: [], missingOnServer: [], different: [], pending: 0 };
    follower.handlers['sync-answer']?.({ kind: 'sync-answer', from: 'leader', to: 'me', id, result, error: null });
    await expect(verifying).resolves.toEqual(result);
  });

  it('the divergence check names its space and the type it drills into to the leader, and resolves with its report', async () => {
    const { follower, posted, snapshot } = setup();
    snapshot();
    posted.length = 0;
    const checking = follower.sync!.checkDivergence('review:1', 'comment');
    void follower.sync!.checkDivergence();
    expect(posted).toMatchObject([
      { kind: 'sync-call', call: 'divergence', space: 'review:1', type: 'comment' },
      { kind: 'sync-call', call: 'divergence' },
    ]);
    expect(['space' in posted[1]!, 'type' in posted[1]!]).toEqual([false, false]);
    const id = (posted[0] as Extract<TabMessage, { kind: 'sync-call' }>).id;
    const report = { space: 'review:1', serverVersion: 3, cookie: 3, agree: true, types: [], ids: null };
    follower.handlers['sync-answer']?.({ kind: 'sync-answer', from: 'leader', to: 'me', id, result: report, error: null });
    await expect(checking).resolves.toEqual(report);
  });
});
