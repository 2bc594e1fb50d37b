import { describe, expect, it, vi } from 'vitest';
import { defaultEnvironment } from '../environment.js';
import type { KalphiteEvent } from '../events.js';
import { MemoryStore } from '../store/store.js';
import { BatchQueue } from './batch-queue.js';
import { Follower } from './follower.js';
import type { TabContext } from './role.js';
import { TAB_PROTOCOL, type TabMessage } from './tab-messages.js';

const note = (id: string, text: string) => ({ id, type: 'note', data: { text }, space: 'default' });

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
    isPending: (id) => pending.includes(id),
    queue,
    emit: (event) => events.push({ ...event, at: 0 } as KalphiteEvent),
    subscribe: () => () => {},
    setTabs: () => {},
  };
  const follower = new Follower(ctx, { syncs: true, env, closeWaitMs: 50, joining: { joined, failed } });
  const snapshot = (overrides: Partial<Extract<TabMessage, { kind: 'snapshot' }>> = {}) =>
    follower.handlers.snapshot?.({ kind: 'snapshot', from: 'leader', to: 'me', clientGroupId: 'group', entities: [note('a', 'from the leader')], tabs: 2, sync: null, protocol: TAB_PROTOCOL, ...overrides });
  return { follower, posted, events, joined, failed, store, snapshot };
}

describe('the leader proxy (a follower tab)', () => {
  it('joins on its snapshot: memory loaded, group known; its batches then go to the leader and resolve with the ack', async () => {
    const { follower, posted, joined, store, snapshot } = setup();
    const written = follower.writeBatch([{ id: 'b', type: 'note', entity: note('b', 'mine'), before: null }]);
    expect(posted).toEqual([]);
    snapshot();
    expect(joined).toHaveBeenCalledOnce();
    expect(store.getById('a')).toEqual(note('a', 'from the leader'));
    expect(follower.clientGroupId).toBe('group');
    expect(follower.tabs).toEqual({ role: 'follower', count: 2 });
    expect(posted).toMatchObject([{ kind: 'batch', from: 'me', clientId: 'me', batch: 1 }]);
    follower.handlers.ack?.({ kind: 'ack', from: 'leader', to: 'me', batch: 1, lastMutationId: 1, error: null });
    await expect(written).resolves.toBe(1);
    expect(follower.outbox.lastMutationId).toBe(1);
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
    follower.handlers['sync-event']?.({ kind: 'sync-event', from: 'leader', event: { type: 'sync:poke', version: 3 }, status: { ...follower.sync!.status, online: true } });
    expect(events).toMatchObject([{ type: 'sync:poke', version: 3 }]);
    expect(follower.sync!.status.online).toBe(true);
  });
});
