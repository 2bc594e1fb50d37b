import { afterEach, describe, expect, it } from 'vitest';
import type { Entity } from '../protocol/entity.js';
import type { Mutation, PushRequest } from '../protocol/push.js';
import type { Cookie, PullRequest, PullResponseOK } from '../protocol/pull.js';
import { BackendUnavailableError, type SyncBackend } from './backend.js';
import { createSyncCore, type SyncCore, type SyncCoreOptions } from './core.js';
import { createPGliteBackend } from './pglite-backend.js';
import { freshPGlite } from '../test-support/pglite.js';
import { serverBackends } from '../test-support/server-backends.js';

const comment = (id: string, message: string): Entity => ({ id, type: 'comment', data: { message } });
/** As the server stores and pulls an entity: naming its space. */
const stored = (entity: Entity, space = 'default'): Entity => ({ ...entity, space });
const upsert = (clientID: string, id: number, entity: Entity): Mutation => ({ clientID, id, name: 'upsert', args: entity as never, timestamp: 0 });
const del = (clientID: string, id: number, key: string): Mutation => ({ clientID, id, name: 'delete', args: { id: key }, timestamp: 0 });
const pushReq = (mutations: Mutation[], clientGroupID = 'group-a'): PushRequest => ({ pushVersion: 1, clientGroupID, profileID: 'p', schemaVersion: '1', mutations });
const pullReq = (cookie: Cookie, clientGroupID = 'group-a', limit?: number): PullRequest => ({
  pullVersion: 1,
  clientGroupID,
  profileID: 'p',
  schemaVersion: '1',
  cookie,
  ...(limit !== undefined && { limit }),
});

const backends = await serverBackends();

for (const [name, factory] of backends) {
  describe.skipIf(factory === null)(`sync core on ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function core(options: Omit<SyncCoreOptions, 'backend'> = {}): Promise<{ core: SyncCore; another: () => Promise<SyncCore> }> {
      const made = await factory!();
      cleanups.push(made.cleanup);
      const open = async () => {
        const c = await createSyncCore({ backend: await made.backend(), ...options });
        cleanups.push(() => c.close());
        return c;
      };
      return { core: await open(), another: open };
    }

    it('push then pull from scratch: clear, every entity, the cookie and the client ids', async () => {
      const { core: server } = await core();
      const outcome = await server.push(pushReq([upsert('c1', 1, comment('a', 'hi')), upsert('c1', 2, comment('b', 'yo'))]));
      expect(outcome).toEqual({ version: 1, applied: 2, duplicates: 0, refused: [] });
      const pulled = await server.pull(pullReq(null));
      expect(pulled).toEqual({
        cookie: 1,
        lastMutationIDChanges: { c1: 2 },
        patch: [{ op: 'clear' }, { op: 'put', key: 'a', value: stored(comment('a', 'hi')) }, { op: 'put', key: 'b', value: stored(comment('b', 'yo')) }],
        writable: true,
      });
      expect(await server.pull(pullReq(1))).toEqual({ cookie: 1, lastMutationIDChanges: {}, patch: [], writable: true });
      expect(await server.pull(pullReq(null, 'group-b'))).toMatchObject({ lastMutationIDChanges: {} });
    });

    it('a retried push (its response was lost) applies nothing twice', async () => {
      const { core: server } = await core();
      const request = pushReq([upsert('c1', 1, comment('a', 'first'))]);
      await server.push(request);
      await server.push(pushReq([upsert('c2', 1, comment('a', 'newer, from c2'))], 'group-b'));
      expect(await server.push(request)).toEqual({ version: null, applied: 0, duplicates: 1, refused: [] });
      const pulled = await server.pull(pullReq(null));
      expect(pulled.patch).toContainEqual({ op: 'put', key: 'a', value: stored(comment('a', 'newer, from c2')) });
      expect(pulled.cookie).toBe(2);
    });

    it('a push with a mutation from the future is refused and changes nothing', async () => {
      const { core: server } = await core();
      await server.push(pushReq([upsert('c1', 1, comment('a', 'one'))]));
      await expect(server.push(pushReq([upsert('c1', 2, comment('b', 'two')), upsert('c1', 4, comment('c', 'four'))]))).rejects.toMatchObject({
        code: 'mutation-from-future',
      });
      const pulled = await server.pull(pullReq(null));
      expect(pulled.patch.map((p) => (p.op === 'put' ? p.key : p.op))).toEqual(['clear', 'a']);
      expect(pulled.lastMutationIDChanges).toEqual({ c1: 1 });
    });

    it('a permanently bad mutation still advances lastMutationID and is not applied', async () => {
      const { core: server } = await core();
      const outcome = await server.push(
        pushReq([
          { clientID: 'c1', id: 1, name: 'upsert', args: { id: 'x', type: 'comment' }, timestamp: 0 },
          { clientID: 'c1', id: 2, name: 'rename', args: { id: 'x' }, timestamp: 0 },
          upsert('c1', 3, comment('ok', 'fine')),
        ]),
      );
      expect(outcome.applied).toBe(1);
      expect(outcome.refused.map((r) => r.id)).toEqual([1, 2]);
      const pulled = await server.pull(pullReq(null));
      expect(pulled.lastMutationIDChanges).toEqual({ c1: 3 });
      expect(pulled.patch).toHaveLength(2);
    });

    it('deletes are tombstones: pulled as del, never come back, absent from a fresh pull', async () => {
      const { core: server } = await core();
      await server.push(pushReq([upsert('c1', 1, comment('a', 'doomed'))]));
      await server.push(pushReq([del('c1', 2, 'a')]));
      expect((await server.pull(pullReq(1))).patch).toEqual([{ op: 'del', key: 'a' }]);
      const late = await server.push(pushReq([upsert('c2', 1, comment('a', 'edited offline'))], 'group-b'));
      expect(late.refused).toHaveLength(1);
      expect((await server.pull(pullReq(null))).patch).toEqual([{ op: 'clear' }]);
    });

    it('concurrent edits resolve to the server commit order; a resolver may decide otherwise', async () => {
      const { core: server } = await core({
        resolvers: { review: (incoming, current) => (current && (current.data as { status: string }).status === 'approved' ? current : incoming) },
      });
      await server.push(pushReq([upsert('c1', 1, comment('a', 'from c1'))]));
      await server.push(pushReq([upsert('c2', 1, comment('a', 'from c2'))], 'group-b'));
      expect((await server.pull(pullReq(null))).patch).toContainEqual({ op: 'put', key: 'a', value: stored(comment('a', 'from c2')) });
      const review = (status: string): Entity => ({ id: 'r', type: 'review', data: { status } });
      await server.push(pushReq([upsert('c1', 2, review('approved'))]));
      await server.push(pushReq([upsert('c2', 2, review('pending'))], 'group-b'));
      expect((await server.pull(pullReq(null))).patch).toContainEqual({ op: 'put', key: 'r', value: stored(review('approved')) });
    });

    it('paged pulls never skip a version, even with writes between pages', async () => {
      const { core: server } = await core();
      for (let i = 0; i < 5; i++) await server.push(pushReq([upsert('c1', i + 1, comment(`e${i}`, `v${i}`))]));
      const seen = new Map<string, unknown>();
      let cookie: Cookie = null;
      let pages = 0;
      let response: PullResponseOK;
      do {
        response = await server.pull(pullReq(cookie, 'group-a', 2));
        pages++;
        if (pages === 1) expect(response.lastMutationIDChanges).toEqual({});
        for (const op of response.patch) {
          if (op.op === 'put') seen.set(op.key, op.value);
          if (op.op === 'del') seen.delete(op.key);
        }
        if (pages === 1) {
          await server.push(pushReq([upsert('c1', 6, comment('e0', 'changed mid-pull')), del('c1', 7, 'e4')]));
        }
        cookie = response.cookie;
      } while (response.more);
      expect(pages).toBeGreaterThan(2);
      expect(response.lastMutationIDChanges).toEqual({ c1: 7 });
      expect(seen.get('e0')).toEqual(stored(comment('e0', 'changed mid-pull')));
      expect(seen.has('e4')).toBe(false);
      expect([...seen.keys()].sort()).toEqual(['e0', 'e1', 'e2', 'e3']);
    });

    it('a cookie from the future starts over with clear', async () => {
      const { core: server } = await core();
      await server.push(pushReq([upsert('c1', 1, comment('a', 'x'))]));
      expect((await server.pull(pullReq(99))).patch[0]).toEqual({ op: 'clear' });
    });

    it('refuses a client that belongs to another group, as forbidden, and applies nothing', async () => {
      const { core: server } = await core();
      await server.push(pushReq([upsert('c1', 1, comment('a', 'x'))]));
      await expect(server.push(pushReq([upsert('c1', 2, comment('a', 'y'))], 'group-b'))).rejects.toMatchObject({ code: 'forbidden' });
      expect((await server.pull(pullReq(null))).patch).toContainEqual({ op: 'put', key: 'a', value: stored(comment('a', 'x')) });
    });

    it('publishes each committed version of a space to every server on the database', async () => {
      const { core: first, another } = await core();
      const second = await another();
      const heard: [string, number][] = [];
      const stop = await second.subscribe({ spaces: ['default', 'other'] }, ({ space, version }) => heard.push([space, version]), () => {});
      await first.push(pushReq([upsert('c1', 1, comment('a', 'x'))]));
      await first.push(pushReq([upsert('c1', 1, comment('a', 'x'))]));
      await first.push(pushReq([upsert('c1', 1, comment('a', 'x'))]), { space: 'other' });
      await first.push(pushReq([upsert('c1', 1, comment('a', 'x'))]), { space: 'unheard' });
      await expect.poll(() => heard).toEqual([['default', 1], ['other', 1]]);
      await stop();
    });

    it('refuses per mutation, never as a failed push, what PostgreSQL cannot store; the next write applies', async () => {
      const { core: server } = await core();
      const long = 'x'.repeat(501);
      const bad: Array<[string, unknown]> = [
        ['a truncated emoji in data', { id: 'e1', type: 'note', data: { text: '😀'.slice(0, 1) } }],
        ['a lone surrogate in a data key', { id: 'e2', type: 'note', data: { ['k\udc00']: 1 } }],
        ['a NUL in data', { id: 'e3', type: 'note', data: ['a\u0000b'] }],
        ['a NUL in the id', { id: 'e\u0000', type: 'note', data: {} }],
        ['an id too long to index', { id: long, type: 'note', data: {} }],
        ['a NUL in the type', { id: 'e4', type: 'no\u0000te', data: {} }],
      ];
      const mutations: Mutation[] = bad.map(([, args], i) => ({ clientID: 'c1', id: i + 1, name: 'upsert', args: args as never, timestamp: 0 }));
      mutations.push({ clientID: 'c1', id: bad.length + 1, name: 'delete', args: { id: long }, timestamp: 0 });
      mutations.push(upsert('c1', bad.length + 2, comment('ok', 'fine')));
      const outcome = await server.push(pushReq(mutations));
      expect(outcome.applied).toBe(1);
      expect(outcome.refused.map((r) => r.id)).toEqual(mutations.slice(0, -1).map((m) => m.id));
      const pulled = await server.pull(pullReq(null));
      expect(pulled.lastMutationIDChanges).toEqual({ c1: mutations.length });
      expect(pulled.patch).toEqual([{ op: 'clear' }, { op: 'put', key: 'ok', value: stored(comment('ok', 'fine')) }]);
      // Every reason made it through storage and JSON.
      expect(pulled.refused?.map((r) => r.id)).toEqual(mutations.slice(0, -1).map((m) => m.id));
    });

    it("the writer's next pull carries each refusal's reason; a refused create of a new id comes back as a del", async () => {
      const { core: server } = await core({ resolvers: { locked: () => null } });
      await server.push(pushReq([upsert('c1', 1, comment('a', 'kept'))]));
      await server.push(
        pushReq([
          { clientID: 'c1', id: 2, name: 'upsert', args: { id: 'new', type: 'locked', data: {} }, timestamp: 0 },
          { clientID: 'c1', id: 3, name: 'rename', args: { id: 'a' }, timestamp: 0 },
        ]),
      );
      const writer = await server.pull(pullReq(1));
      expect(writer.refused).toEqual([
        { clientID: 'c1', id: 2, reason: 'The locked resolver refused the write.' },
        { clientID: 'c1', id: 3, reason: 'Unknown mutator "rename".' },
      ]);
      expect(writer.lastMutationIDChanges).toEqual({ c1: 3 });
      expect(writer.patch).toContainEqual({ op: 'del', key: 'new' });
      expect(writer.patch).toContainEqual({ op: 'put', key: 'a', value: stored(comment('a', 'kept')) });
      // Nobody else hears of it, and the writer hears of it once.
      expect((await server.pull(pullReq(1, 'group-b'))).refused).toBeUndefined();
      expect((await server.pull(pullReq(writer.cookie))).refused).toBeUndefined();
    });

    it('a delete of an id never stored changes nothing: the id can still be created', async () => {
      const { core: server } = await core();
      const outcome = await server.push(pushReq([del('c1', 1, 'squatted')]));
      expect(outcome).toMatchObject({ applied: 1, refused: [] });
      expect((await server.pull(pullReq(0))).patch).toEqual([]);
      const created = await server.push(pushReq([upsert('c2', 1, comment('squatted', 'mine'))], 'group-b'));
      expect(created).toMatchObject({ applied: 1, refused: [] });
      expect((await server.pull(pullReq(null))).lastMutationIDChanges).toEqual({ c1: 1 });
    });

    it('resolvers are own properties only; one that throws refuses its mutation and is reported', async () => {
      const problems: string[] = [];
      const { core: server } = await core({
        resolvers: { comment: (incoming) => incoming, boom: () => { throw new Error('resolver bug'); } },
        onError: (problem) => problems.push(`${problem.code}: ${problem.message}`),
      });
      const types = ['valueOf', '__proto__', 'hasOwnProperty', 'toString', 'constructor', 'boom'];
      const outcome = await server.push(pushReq(types.map((type, i) => upsert('c1', i + 1, { id: `e${i}`, type, data: {} }))));
      expect(outcome.applied).toBe(types.length - 1);
      expect(outcome.refused).toEqual([{ clientID: 'c1', id: types.length, reason: 'The boom resolver failed: resolver bug' }]);
      expect(problems).toEqual(['resolver-threw: The boom resolver threw on upsert of e5: resolver bug']);
    });

    it('two servers on one database apply a doubly-sent push once', async () => {
      const { core: first, another } = await core();
      const second = await another();
      const request = pushReq(Array.from({ length: 20 }, (_, i) => upsert('c1', i + 1, comment(`e${i}`, 'x'))));
      const outcomes = await Promise.all([first.push(request), second.push(request)]);
      expect(outcomes.map((o) => o.applied).sort()).toEqual([0, 20]);
      expect((await second.pull(pullReq(null))).cookie).toBe(1);
    });
  });
}

describe('sync core start-up', () => {
  it('creates its tables once the database is back when it starts during an outage, and reports the wait', async () => {
    const backend = await createPGliteBackend(await freshPGlite());
    let outage = 2;
    const flaky: SyncBackend = {
      ...backend,
      transaction: (mode, fn) =>
        outage-- > 0 ? Promise.reject(new BackendUnavailableError('PostgreSQL is unavailable (in a transaction): terminating connection (57P01)')) : backend.transaction(mode, fn),
    };
    const problems: string[] = [];
    const server = await createSyncCore({ backend: flaky, onError: (problem) => problems.push(problem.code) });
    expect(problems).toEqual(['database-unavailable', 'database-unavailable']);
    await server.push(pushReq([upsert('c1', 1, comment('a', 'after the outage'))]));
    expect((await server.pull(pullReq(null))).cookie).toBe(1);
    await server.close();
  });

  it('does not retry an error that is not an outage, nor a database it never reached', async () => {
    const backend = await createPGliteBackend(await freshPGlite());
    const broken: SyncBackend = { ...backend, transaction: () => Promise.reject(new Error('permission denied for schema public')) };
    await expect(createSyncCore({ backend: broken })).rejects.toThrow('permission denied');
    let attempts = 0;
    const nowhere: SyncBackend = { ...backend, transaction: () => (attempts++, Promise.reject(new BackendUnavailableError('ECONNREFUSED', { reached: false }))) };
    await expect(createSyncCore({ backend: nowhere, onError: () => {} })).rejects.toThrow('ECONNREFUSED');
    expect(attempts).toBe(1);
    await backend.close();
  });
});
