import { afterEach, describe, expect, it } from 'vitest';
import type { Entity } from '../protocol/entity.js';
import type { Mutation, PushRequest } from '../protocol/push.js';
import type { Cookie, PullRequest } from '../protocol/pull.js';
import { createSyncCore, type CommittedVersion, type PokeSubscriber, type SyncCore, type SyncCoreOptions } from './core.js';
import { serverBackends } from '../test-support/server-backends.js';

const note = (id: string, text: string): Entity => ({ id, type: 'note', data: { text } });
const upsert = (clientID: string, id: number, entity: Entity): Mutation => ({ clientID, id, name: 'upsert', args: entity as never, timestamp: 0 });
const patch = (clientID: string, id: number, key: string, text: string, was: string): Mutation => ({
  clientID,
  id,
  name: 'patch',
  args: { id: key, type: 'note', set: { text }, unset: [], was: { text: was } } as never,
  timestamp: 0,
});
const pushReq = (mutations: Mutation[], clientGroupID = 'group-a'): PushRequest => ({ pushVersion: 1, clientGroupID, profileID: 'p', schemaVersion: '1', mutations });
const pullReq = (cookie: Cookie, clientGroupID = 'group-a'): PullRequest => ({ pullVersion: 1, clientGroupID, profileID: 'p', schemaVersion: '1', cookie });
const alice = { id: 'alice' };
const bob = { id: 'bob' };

const backends = await serverBackends();

for (const [name, factory] of backends) {
  describe.skipIf(factory === null)(`pokes that carry the change, on ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function servers(options: Omit<SyncCoreOptions, 'backend'> = {}): Promise<{ core: SyncCore; another: () => Promise<SyncCore> }> {
      const made = await factory!();
      cleanups.push(made.cleanup);
      const open = async () => {
        const c = await createSyncCore({ backend: await made.backend(), ...options });
        cleanups.push(() => c.close());
        return c;
      };
      return { core: await open(), another: open };
    }

    async function listen(core: SyncCore, subscriber: PokeSubscriber): Promise<CommittedVersion[]> {
      const heard: CommittedVersion[] = [];
      const stop = await core.subscribe(subscriber, (poke) => heard.push(poke), () => {});
      cleanups.push(stop);
      return heard;
    }

    it('pokes the readers of a version before its writer, whose poke only acknowledges what it shows', async () => {
      const { core } = await servers();
      const order: string[] = [];
      for (const [who, group] of [['writer', 'group-a'], ['reader', 'group-b']] as const) {
        const stop = await core.subscribe({ spaces: ['default'], clientGroups: { default: group } }, () => order.push(who), () => {});
        cleanups.push(stop);
      }
      await core.push(pushReq([upsert('c1', 1, note('a', 'one'))]));
      await expect.poll(() => order).toEqual(['reader', 'writer']);
    });

    it('carries the patch, the previous version and the group’s mutation ids: what a pull from the previous version answers', async () => {
      const { core } = await servers();
      await core.push(pushReq([upsert('c1', 1, note('a', 'one'))]));
      const heard = await listen(core, { spaces: ['default'], clientGroups: { default: 'group-a' } });
      await core.push(pushReq([upsert('c1', 2, note('a', 'two')), upsert('c2', 1, note('b', 'bee'))]));
      await expect.poll(() => heard.length).toBe(1);
      const pulled = await core.pull(pullReq(1));
      expect(heard[0]).toEqual({
        space: 'default',
        version: 2,
        change: { previous: 1, clientGroupID: 'group-a', patch: pulled.patch, lastMutationIDChanges: pulled.lastMutationIDChanges, writable: pulled.writable },
      });
      expect(pulled.lastMutationIDChanges).toEqual({ c1: 2, c2: 1 });
    });

    it('gives another group the patch without mutation ids, and a stream naming no group the version alone', async () => {
      const { core } = await servers();
      const other = await listen(core, { spaces: ['default'], clientGroups: { default: 'group-b' } });
      const none = await listen(core, { spaces: ['default'] });
      await core.push(pushReq([upsert('c1', 1, note('a', 'one'))]));
      await expect.poll(() => other.length + none.length).toBe(2);
      expect(other[0]?.change).toEqual({ previous: 0, clientGroupID: 'group-b', patch: [{ op: 'put', key: 'a', value: { ...note('a', 'one'), space: 'default' } }], lastMutationIDChanges: {} });
      expect(none[0]).toEqual({ space: 'default', version: 1, change: null });
    });

    it('sends mutation ids only to the group’s owner: a stream naming another user’s group hears the version alone', async () => {
      const { core } = await servers();
      const bobs = await listen(core, { user: bob, spaces: ['default'], clientGroups: { default: 'group-a' } });
      await core.push(pushReq([upsert('c1', 1, note('a', 'one'))]), { user: alice });
      await expect.poll(() => bobs.length).toBe(1);
      expect(bobs[0]?.change).toBeNull();
    });

    it('carries a refused create as the pull does: the refusal and a del of the id the server never stored', async () => {
      const { core } = await servers({ resolvers: { note: () => null } });
      const heard = await listen(core, { spaces: ['default'], clientGroups: { default: 'group-a' } });
      await core.push(pushReq([upsert('c1', 1, note('a', 'no'))]));
      await expect.poll(() => heard.length).toBe(1);
      const pulled = await core.pull(pullReq(0));
      expect(pulled.refused).toHaveLength(1);
      expect(heard[0]?.change).toEqual({ previous: 0, clientGroupID: 'group-a', patch: pulled.patch, lastMutationIDChanges: { c1: 1 }, refused: pulled.refused, writable: pulled.writable });
      expect(pulled.patch).toEqual([{ op: 'del', key: 'a' }]);
    });

    it('carries the loser’s ledger notes to its own group, as its pull from the previous version sends them, and to nobody else', async () => {
      const { core } = await servers();
      await core.push(pushReq([upsert('c1', 1, note('a', 'start'))]), { user: alice });
      // Alice's edit is confirmed at version 2; Bob edits from the value he last saw, and wins in server order.
      await core.push(pushReq([patch('c1', 2, 'a', 'from alice', 'start')]), { user: alice });
      const alices = await listen(core, { user: alice, spaces: ['default'], clientGroups: { default: 'group-a' } });
      const thief = await listen(core, { user: bob, spaces: ['default'], clientGroups: { default: 'group-a' } });
      await core.push(pushReq([patch('c2', 1, 'a', 'from bob', 'start')], 'group-b'), { user: bob });
      await expect.poll(() => alices.length + thief.length).toBe(2);
      const pulled = await core.pull(pullReq(2), { user: alice });
      expect(pulled.overwritten).toEqual([{ clientID: 'c1', id: 2, key: 'a', fields: ['text'] }]);
      expect(alices[0]?.change).toEqual({ previous: 2, clientGroupID: 'group-a', patch: pulled.patch, lastMutationIDChanges: {}, overwritten: pulled.overwritten });
      // A stream naming Alice's group under another user hears the version alone: her notes are hers.
      expect(thief[0]).toEqual({ space: 'default', version: 3, change: null });
    });

    it('sends the loser the version alone when its notes would take the change over the size limit', async () => {
      const { core } = await servers({ pokeDataLimit: 120 });
      await core.push(pushReq([upsert('c1', 1, note('a', 'start'))]));
      await core.push(pushReq([patch('c1', 2, 'a', 'one', 'start')]));
      const loser = await listen(core, { spaces: ['default'], clientGroups: { default: 'group-a' } });
      const bystander = await listen(core, { spaces: ['default'], clientGroups: { default: 'group-c' } });
      await core.push(pushReq([patch('c2', 1, 'a', 'two', 'start')], 'group-b'));
      await expect.poll(() => loser.length + bystander.length).toBe(2);
      expect(bystander[0]?.change?.patch).toHaveLength(1);
      expect(loser[0]).toEqual({ space: 'default', version: 3, change: null });
    });

    it('sends the version alone over the size limit, and always at pokeDataLimit 0', async () => {
      const small = await servers({ pokeDataLimit: 200 });
      const heard = await listen(small.core, { spaces: ['default'], clientGroups: { default: 'group-a' } });
      await small.core.push(pushReq([upsert('c1', 1, note('a', 'short'))]));
      await small.core.push(pushReq([upsert('c1', 2, note('b', 'x'.repeat(300)))]));
      await expect.poll(() => heard.length).toBe(2);
      expect(heard[0]?.change).not.toBeNull();
      expect(heard[1]).toEqual({ space: 'default', version: 2, change: null });

      const off = await servers({ pokeDataLimit: 0 });
      const silent = await listen(off.core, { spaces: ['default'], clientGroups: { default: 'group-a' } });
      await off.core.push(pushReq([upsert('c1', 1, note('a', 'short'))]));
      await expect.poll(() => silent).toEqual([{ space: 'default', version: 1, change: null }]);
    });

    it('never pokes a space its user may not read, and stops at once when the permission is revoked mid-stream', async () => {
      let bobReads = true;
      const { core } = await servers({ authorize: ({ user, space, action }) => action === 'write' || space !== 'private' || user.id === 'alice' || bobReads });
      const heard = await listen(core, { user: bob, spaces: ['private', 'default'], clientGroups: { private: 'bob-p', default: 'bob-d' } });
      await core.push(pushReq([upsert('c1', 1, note('a', 'one'))]), { user: alice, space: 'private' });
      await expect.poll(() => heard.length).toBe(1);
      expect(heard[0]?.change?.patch).toHaveLength(1);
      bobReads = false;
      await core.push(pushReq([upsert('c1', 2, note('a', 'secret'))]), { user: alice, space: 'private' });
      await core.push(pushReq([upsert('c9', 1, note('d', 'public'))], 'group-d'), { user: alice, space: 'default' });
      await expect.poll(() => heard.length).toBe(2);
      expect(heard.map((p) => p.space)).toEqual(['private', 'default']);
      expect(JSON.stringify(heard)).not.toContain('secret');
    });

    it('another server on the database reads the change back: the same poke as the committing server’s, mutation ids and notes to their owners only', async () => {
      const { core: first, another } = await servers();
      const second = await another();
      await first.push(pushReq([upsert('c1', 1, note('a', 'start'))]), { user: alice });
      await first.push(pushReq([patch('c1', 2, 'a', 'from alice', 'start')]), { user: alice });
      const onFirst = await listen(first, { user: bob, spaces: ['default'], clientGroups: { default: 'group-b' } });
      const bobs = await listen(second, { user: bob, spaces: ['default'], clientGroups: { default: 'group-b' } });
      const alices = await listen(second, { user: alice, spaces: ['default'], clientGroups: { default: 'group-a' } });
      const thief = await listen(second, { user: bob, spaces: ['default'], clientGroups: { default: 'group-a' } });
      const none = await listen(second, { spaces: ['default'] });
      await first.push(pushReq([patch('c2', 1, 'a', 'from bob', 'start')], 'group-b'), { user: bob });
      await expect.poll(() => onFirst.length + bobs.length + alices.length + thief.length + none.length).toBe(5);
      // The committing server also says whether the writer may write (its push checked it); another server does not know.
      const { writable, ...change } = onFirst[0]!.change!;
      expect(writable).toBe(true);
      expect(bobs).toEqual([{ ...onFirst[0], change }]);
      expect(bobs[0]?.change?.lastMutationIDChanges).toEqual({ c2: 1 });
      const pulled = await second.pull(pullReq(2), { user: alice });
      expect(alices[0]).toEqual({ space: 'default', version: 3, change: { previous: 2, clientGroupID: 'group-a', patch: pulled.patch, lastMutationIDChanges: {}, overwritten: pulled.overwritten } });
      expect(pulled.overwritten).toHaveLength(1);
      expect(thief[0]).toEqual({ space: 'default', version: 3, change: null });
      expect(none[0]).toEqual({ space: 'default', version: 3, change: null });
    });

    it('another server carries a refusal as the pull does, and over the limit the version alone', async () => {
      const made = await servers({ resolvers: { note: (incoming) => ((incoming.data as { text?: string }).text === 'no' ? null : incoming) }, pokeDataLimit: 300 });
      const second = await made.another();
      const heard = await listen(second, { spaces: ['default'], clientGroups: { default: 'group-a' } });
      await made.core.push(pushReq([upsert('c1', 1, note('a', 'no'))]));
      await expect.poll(() => heard.length).toBe(1);
      const pulled = await second.pull(pullReq(0));
      expect(heard[0]?.change).toEqual({ previous: 0, clientGroupID: 'group-a', patch: [{ op: 'del', key: 'a' }], lastMutationIDChanges: { c1: 1 }, refused: pulled.refused });
      await made.core.push(pushReq([upsert('c1', 2, note('b', 'x'.repeat(400)))]));
      await expect.poll(() => heard.length).toBe(2);
      expect(heard[1]).toEqual({ space: 'default', version: 2, change: null });
    });
  });
}
