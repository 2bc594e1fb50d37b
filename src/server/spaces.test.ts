import { afterEach, describe, expect, it } from 'vitest';
import type { Entity } from '../protocol/entity.js';
import type { PullResponseOK } from '../protocol/pull.js';
import { freshPGlite } from '../test-support/pglite.js';
import { createSyncCore, type SyncCoreOptions } from './core.js';
import { createSyncHandler, type SyncHandler } from './handler.js';
import type { ResolverContext } from './mutations.js';
import type { SpaceAction } from './permissions.js';
import { createPGliteBackend } from './pglite-backend.js';
import type { ServerProblem } from './problems.js';

/**
 * SPACES.md at the handler (Request → Response, as the HTTP server and the MSW mocks run it): two
 * users, spaces they may read, write or neither, and every byte each user receives.
 */

const BASE = 'http://127.0.0.1/api/sync';
const closers: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Permissions as a mutable table, so a test can revoke one midway: user → space → actions. */
type Acl = Record<string, Record<string, SpaceAction[]>>;

async function server(acl: Acl, options: Omit<SyncCoreOptions, 'backend' | 'authorize'> = {}) {
  const problems: ServerProblem[] = [];
  const core = await createSyncCore({
    backend: await createPGliteBackend(await freshPGlite()),
    authorize: ({ user, space, action }) => acl[user.id]?.[space]?.includes(action) ?? false,
    onError: (problem) => problems.push(problem),
    ...options,
  });
  const handle = createSyncHandler({
    core,
    // The token is the user's name; the user object carries a field of the app's own.
    authenticate: (request) => {
      const name = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return name ? { id: name, displayName: name.toUpperCase() } : null;
    },
    onError: (problem) => problems.push(problem),
  });
  closers.push(() => core.close(), () => handle.closeStreams());
  return { handle, problems };
}

const note = (id: string, text: string, extra: Partial<Entity> = {}): Entity => ({ id, type: 'note', data: { text }, ...extra });

/** One user's client of the handler, keeping every byte it receives (response bodies and poke streams). */
function client(handle: SyncHandler, user: string) {
  const received: string[] = [];
  const mutationIds = new Map<string, number>();
  const send = async (route: 'push' | 'pull', space: string, body: object) => {
    const response = await handle(
      new Request(`${BASE}/${route}?space=${encodeURIComponent(space)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user}` },
        body: JSON.stringify(body),
      }),
    );
    const text = await response.text();
    received.push(text);
    return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
  };
  return {
    received,
    /** Upserts (or deletes, for a string) as `clientID`, numbering the mutations as a client does. */
    push: (space: string, clientGroupID: string, clientID: string, writes: readonly (Entity | string)[]) =>
      send('push', space, {
        pushVersion: 1,
        clientGroupID,
        profileID: 'p',
        schemaVersion: '1',
        mutations: writes.map((write) => {
          const id = (mutationIds.get(`${space}/${clientID}`) ?? 0) + 1;
          mutationIds.set(`${space}/${clientID}`, id);
          return typeof write === 'string'
            ? { clientID, id, name: 'delete', args: { id: write }, timestamp: 1 }
            : { clientID, id, name: 'upsert', args: write, timestamp: 1 };
        }),
      }),
    pull: async (space: string, clientGroupID: string, cookie: number | null = null) => {
      const answer = await send('pull', space, { pullVersion: 1, clientGroupID, profileID: 'p', schemaVersion: '1', cookie });
      return { status: answer.status, body: answer.body as unknown as PullResponseOK & { error?: string; message?: string } };
    },
    /** A poke stream of these spaces, read in the background. */
    poke: async (spaces: readonly string[]) => {
      const query = new URLSearchParams(spaces.map((space) => ['space', space]));
      const response = await handle(new Request(`${BASE}/poke?${query}`, { headers: { authorization: `Bearer ${user}` } }));
      expect(response.status).toBe(200);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += value;
          received.push(value);
        }
      })();
      closers.push(() => reader.cancel());
      return {
        text: () => text,
        until: async (fragment: string) => expect.poll(() => text, { timeout: 5_000 }).toContain(fragment),
      };
    },
  };
}

const puts = (pulled: PullResponseOK) => Object.fromEntries(pulled.patch.flatMap((op) => (op.op === 'put' ? [[op.key, op.value]] : [])));
const dels = (pulled: PullResponseOK) => pulled.patch.flatMap((op) => (op.op === 'del' ? [op.key] : []));
const poked = (space: string, version: number) => `data: {"space":"${space}","version":${version}}`;

describe('spaces, users and permissions (SPACES.md)', () => {
  it('two users, three spaces: each reads and writes what it may, and receives nothing of a space it may not read', async () => {
    // shared: alice writes, bob reads. alice-only: bob nothing. bob-only: alice reads.
    const acl: Acl = {
      alice: { shared: ['read', 'write'], 'alice-only': ['read', 'write'], 'bob-only': ['read'] },
      bob: { shared: ['read'], 'bob-only': ['read', 'write'] },
    };
    const { handle } = await server(acl);
    const alice = client(handle, 'alice');
    const bob = client(handle, 'bob');
    const bobPokes = await bob.poke(['shared', 'alice-only', 'bob-only']);
    await bobPokes.until(': connected');

    for (const space of ['shared', 'alice-only', 'bob-only']) {
      expect((await alice.push(space, 'ga', 'ca', [note(`${space}-by-alice`, `secret of ${space}, by alice`)])).status).toBe(200);
    }
    expect((await bob.push('shared', 'gb', 'cb', [note('shared-by-alice', 'overwritten by bob'), note('shared-by-bob', 'created by bob')])).status).toBe(200);
    expect((await bob.push('alice-only', 'gb', 'cb', [note('alice-only-by-alice', 'overwritten by bob')])).status).toBe(200);
    expect((await bob.push('bob-only', 'gb', 'cb', [note('bob-only-by-bob', 'bob writes here')])).status).toBe(200);

    // Alice: her writes where she may, bob's where he may, nothing where neither was allowed.
    const aliceShared = await alice.pull('shared', 'ga');
    expect(aliceShared.body).toMatchObject({ writable: true, lastMutationIDChanges: { ca: 1 } });
    expect(puts(aliceShared.body)).toEqual({ 'shared-by-alice': note('shared-by-alice', 'secret of shared, by alice', { space: 'shared' }) });
    expect(puts((await alice.pull('alice-only', 'ga')).body)).toEqual({ 'alice-only-by-alice': note('alice-only-by-alice', 'secret of alice-only, by alice', { space: 'alice-only' }) });
    const aliceOnBob = await alice.pull('bob-only', 'ga');
    expect(aliceOnBob.body.writable).toBe(false);
    expect(Object.keys(puts(aliceOnBob.body))).toEqual(['bob-only-by-bob']);
    // Her refused write is acknowledged with the reason, and its optimistic create goes.
    expect(aliceOnBob.body.lastMutationIDChanges).toEqual({ ca: 1 });
    expect(aliceOnBob.body.refused).toEqual([{ clientID: 'ca', id: 1, reason: 'User "alice" may not write to space "bob-only".' }]);
    expect((await alice.pull('bob-only', 'ga', 0)).body.patch).toContainEqual({ op: 'del', key: 'bob-only-by-alice' });

    // Bob: the shared space read-only, his writes there refused and reverted; alice-only a 403.
    const bobShared = await bob.pull('shared', 'gb', 1);
    expect(bobShared.body.writable).toBe(false);
    expect(bobShared.body.refused).toEqual([
      { clientID: 'cb', id: 1, reason: 'User "bob" may not write to space "shared".' },
      { clientID: 'cb', id: 2, reason: 'User "bob" may not write to space "shared".' },
    ]);
    expect(puts(bobShared.body)).toEqual({ 'shared-by-alice': note('shared-by-alice', 'secret of shared, by alice', { space: 'shared' }) });
    expect(dels(bobShared.body)).toEqual(['shared-by-bob']);
    const forbidden = await bob.pull('alice-only', 'gb');
    expect(forbidden).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect((await bob.pull('bob-only', 'gb')).body).toMatchObject({ writable: true, lastMutationIDChanges: { cb: 1 } });

    // Pokes: bob hears the spaces he may read, and never the other, whose pushes came first.
    await bobPokes.until(poked('bob-only', 2));
    expect(bobPokes.text()).toContain(poked('shared', 2));
    expect(bobPokes.text()).not.toContain('alice-only');
    // Not a byte of alice-only's content reached bob: no id, no text, no version of it.
    const everything = bob.received.join('\n');
    expect(everything).not.toContain('alice-only-by-alice');
    expect(everything).not.toContain('secret of alice-only');
    expect(everything).toContain('secret of shared');
  });

  it("rule 7: another user's client group or client is one 403 that names nothing, and the real client's next write is not lost", async () => {
    const acl: Acl = { alice: { shared: ['read', 'write'], other: ['read', 'write'] }, bob: { shared: ['read', 'write'], other: ['read', 'write'] } };
    const { handle } = await server(acl);
    const alice = client(handle, 'alice');
    const bob = client(handle, 'bob');
    expect((await alice.push('shared', 'group-a', 'client-a', [note('n', 'one')])).status).toBe(200);

    const attempts = [
      await bob.pull('shared', 'group-a'),
      await bob.push('shared', 'group-a', 'client-b', [note('n', 'by bob in her group')]),
      // The id alice's client will use next: before, the server took it and skipped hers as a duplicate.
      await bob.push('shared', 'group-b', 'client-a', [note('n', 'by bob as her client')]),
    ];
    for (const attempt of attempts) expect(attempt).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const messages = new Set(attempts.map((attempt) => String(attempt.body.message)));
    expect(messages.size).toBe(1);
    expect([...messages][0]).not.toMatch(/alice|group-a|client-a/);

    expect((await alice.push('shared', 'group-a', 'client-a', [note('n', 'two')])).status).toBe(200);
    const pulled = await alice.pull('shared', 'group-a');
    expect(pulled.body.lastMutationIDChanges).toEqual({ 'client-a': 2 });
    expect(puts(pulled.body)).toEqual({ n: note('n', 'two', { space: 'shared' }) });
    // A group belongs to its user per space: in another space the same id is a group of its own.
    expect((await bob.pull('other', 'group-a')).status).toBe(200);
  });

  it('resolvers hear who writes where, and how; a delete is decided by them too', async () => {
    const heard: { incoming: Entity; current: Entity | null; context: ResolverContext }[] = [];
    const acl: Acl = { alice: { 'review:1': ['read', 'write'] }, bob: { 'review:1': ['read', 'write'] } };
    const { handle } = await server(acl, {
      resolvers: {
        // Only a comment's author may edit or delete it.
        comment: (incoming, current, context) => {
          heard.push({ incoming, current, context });
          return current && (current.data as { author: string }).author !== context.user.id ? null : incoming;
        },
      },
    });
    const alice = client(handle, 'alice');
    const bob = client(handle, 'bob');
    const comment = (text: string): Entity => ({ id: 'c1', type: 'comment', data: { author: 'alice', text } });
    await alice.push('review:1', 'ga', 'ca', [comment('first')]);
    await bob.push('review:1', 'gb', 'cb', [comment('edited by bob'), 'c1']);
    await alice.push('review:1', 'ga', 'ca', ['c1']);

    const stored = { ...comment('first'), space: 'review:1' };
    expect(heard.map(({ context }) => [context.user.id, context.space, context.op])).toEqual([
      ['alice', 'review:1', 'upsert'],
      ['bob', 'review:1', 'upsert'],
      ['bob', 'review:1', 'delete'],
      ['alice', 'review:1', 'delete'],
    ]);
    // The user is the object authenticate returned, its own fields included.
    expect(heard[0]!.context.user).toEqual({ id: 'alice', displayName: 'ALICE' });
    // A delete's incoming is the entity being deleted.
    expect(heard[2]).toMatchObject({ incoming: stored, current: stored });
    expect((await bob.pull('review:1', 'gb')).body.refused?.map((r) => r.reason)).toEqual(['The comment resolver refused the write.', 'The comment resolver refused the delete.']);
    expect((await alice.pull('review:1', 'ga', 1)).body.patch).toEqual([{ op: 'del', key: 'c1' }]);
  });

  it('an entity names the space it is pushed to: filled when missing, refused when it names another', async () => {
    const { handle } = await server({ alice: { a: ['read', 'write'], b: ['read', 'write'] } });
    const alice = client(handle, 'alice');
    await alice.push('a', 'g', 'c', [note('x', 'no space'), note('y', 'says a', { space: 'a' }), note('z', 'says b', { space: 'b' })]);
    const pulled = await alice.pull('a', 'g');
    expect(puts(pulled.body)).toEqual({ x: note('x', 'no space', { space: 'a' }), y: note('y', 'says a', { space: 'a' }) });
    expect(pulled.body.refused).toEqual([{ clientID: 'c', id: 3, reason: 'Entity "z" names space "b" but was pushed to space "a".' }]);
    expect((await alice.pull('b', 'g')).body.patch).toEqual([{ op: 'clear' }]);
  });

  it('write permission revoked midway: later pushes are refused with the reason and the server value returns; read revoked: 403 and no more pokes', async () => {
    const acl: Acl = { alice: { shared: ['read', 'write'], mine: ['read', 'write'] }, bob: { shared: ['read', 'write'] } };
    const { handle } = await server(acl);
    const alice = client(handle, 'alice');
    const bob = client(handle, 'bob');
    await alice.push('shared', 'ga', 'ca', [note('n', 'before')]);
    const before = await alice.pull('shared', 'ga');
    expect(before.body.writable).toBe(true);

    acl.alice!.shared = ['read'];
    await alice.push('shared', 'ga', 'ca', [note('n', 'after the revocation'), note('new', 'never stored')]);
    const after = await alice.pull('shared', 'ga', before.body.cookie as number);
    expect(after.body).toMatchObject({ writable: false, lastMutationIDChanges: { ca: 3 } });
    expect(after.body.refused?.map((r) => r.reason)).toEqual(['User "alice" may not write to space "shared".', 'User "alice" may not write to space "shared".']);
    expect(puts(after.body)).toEqual({ n: note('n', 'before', { space: 'shared' }) });
    expect(dels(after.body)).toEqual(['new']);

    const pokes = await alice.poke(['shared', 'mine']);
    await pokes.until(': connected');
    await bob.push('shared', 'gb', 'cb', [note('n', 'by bob, heard')]);
    await pokes.until(poked('shared', 3));
    acl.alice!.shared = [];
    expect(await alice.pull('shared', 'ga')).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    await bob.push('shared', 'gb', 'cb', [note('n', 'by bob, unheard')]);
    await alice.push('mine', 'ga', 'ca', [note('m', 'mine')]);
    await pokes.until(poked('mine', 1));
    expect(pokes.text()).not.toContain(poked('shared', 4));
    expect(alice.received.join('\n')).not.toContain('unheard');
  });
});
