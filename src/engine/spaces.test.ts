import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPGliteBackend } from '../server/pglite-backend.js';
import { startSyncServer, type SyncServer } from '../server/http.js';
import { freshPGlite } from '../test-support/pglite.js';
import type { PGliteInterface } from '@electric-sql/pglite';
import type { Entity } from './store/entity.js';
import { createKalphite, type Kalphite, type KalphiteOptions } from './kalphite.js';

/**
 * Spaces end to end (SPACES.md): two users, a real server on loopback whose `authorize` reads an
 * access list the tests change, engines each over their own PGlite.
 */

const note = (id: string, space: string, text: string): Entity => ({ id, type: 'note', data: { text }, space });

type Action = 'read' | 'write';
/** user → space → what they may do. */
type Access = Record<string, Record<string, readonly Action[]>>;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(access: Access): Promise<SyncServer> {
  const s = await startSyncServer({
    db: await createPGliteBackend(await freshPGlite()),
    authenticate: (request) => {
      const user = request.headers.get('authorization')?.replace(/^Bearer /, '');
      return user ? { id: user } : null;
    },
    authorize: ({ user, space, action }) => access[user.id]?.[space]?.includes(action) ?? false,
  });
  cleanups.push(() => s.close());
  return s;
}

/** Every byte of every answer the engine received, poke streams included. */
interface Wire {
  readonly fetch: typeof fetch;
  text(): string;
}

function recordingWire(): Wire {
  const chunks: string[] = [];
  return {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (!response.body) return response;
      const decoder = new TextDecoder();
      const body = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            chunks.push(decoder.decode(chunk, { stream: true }));
            controller.enqueue(chunk);
          },
        }),
      );
      return new Response(body, { status: response.status, headers: response.headers });
    },
    text: () => chunks.join(''),
  };
}

interface Engine {
  readonly k: Kalphite;
  readonly pglite: PGliteInterface;
  readonly wire: Wire;
}

async function engine(s: SyncServer, user: string, options: KalphiteOptions = {}): Promise<Engine> {
  const pglite = await freshPGlite();
  const wire = recordingWire();
  const k = await createKalphite({
    pglite,
    syncUrl: `${s.url}/api/sync`,
    syncHeaders: () => ({ authorization: `Bearer ${user}` }),
    fetch: wire.fetch,
    pushDelayMs: 0,
    pullIntervalMs: 60_000,
    flushDelayMs: 0,
    syncRetry: { baseMs: 20, maxMs: 200 },
    ...options,
  });
  cleanups.push(() => k.close());
  return { k, pglite, wire };
}

/** Flush, push and pull until every engine's outbox is empty. */
async function settle(...engines: Engine[]): Promise<void> {
  for (let round = 0; round < 5; round++) {
    for (const { k } of engines) await k.flush();
    for (const { k } of engines) await k.sync!.push();
    for (const { k } of engines) await k.sync!.pull();
    if (engines.every(({ k }) => k.inspect().outbox.length === 0)) return;
  }
  throw new Error('not settled');
}

async function localIds(pglite: PGliteInterface, space: string): Promise<string[]> {
  return (await pglite.query<{ id: string }>('SELECT id FROM entities WHERE space = $1 ORDER BY id', [space])).rows.map((r) => r.id);
}

const idsIn = (k: Kalphite, space: string) =>
  k.store
    .getAll()
    .filter((e) => e.space === space)
    .map((e) => e.id)
    .sort();

describe('spaces', () => {
  it('a write without a space goes to the default space; one into a closed space or moving an entity throws before anything is written', async () => {
    const s = await server({ ada: { default: ['read', 'write'], elsewhere: ['read', 'write'] } });
    const { k } = await engine(s, 'ada');
    k.store.entities.set('a', { id: 'a', type: 'note', data: {} });
    expect(k.store.getById('a')).toEqual({ id: 'a', type: 'note', data: {}, space: 'default' });
    // An update without a space keeps the stored one.
    k.store.entities.set('a', { id: 'a', type: 'note', data: { v: 2 } });
    expect(k.store.getById('a')?.space).toBe('default');
    expect(() => k.store.entities.set('b', note('b', 'elsewhere', 'x'))).toThrow(expect.objectContaining({ code: 'space-not-open' }));
    expect(() => k.store.entities.set('a', note('a', 'elsewhere', 'moved'))).toThrow(expect.objectContaining({ code: 'space-immutable' }));
    expect(() => k.store.entities.set('c', note('c', 'bad space!', 'x'))).toThrow(expect.objectContaining({ code: 'invalid-entity' }));
    await k.flush();
    // The two writes of `a` flush as one.
    expect(k.inspect().outbox.length).toBe(1);
    expect(k.spaces.list().map((info) => [info.id, info.open])).toEqual([['default', true]]);
  });

  it('two users, three spaces: each holds exactly what it may read and has open; refused writes revert; nothing unreadable crosses the wire', async () => {
    const access: Access = {
      ada: { 'review:1': ['read', 'write'], 'review:2': ['read', 'write'], 'org:acme': ['read', 'write'] },
      // review:1 is readable by all but writable by its members; review:2 is for members only.
      grace: { 'review:1': ['read'], 'org:acme': ['read', 'write'] },
    };
    const s = await server(access);
    const ada = await engine(s, 'ada', { spaces: ['review:1', 'review:2', 'org:acme'], defaultSpace: 'review:1' });
    ada.k.store.entities.set('r1-c', note('r1-c', 'review:1', 'public comment'));
    ada.k.store.entities.set('r2-c', note('r2-c', 'review:2', 'SECRET-TEXT of review 2'));
    ada.k.store.entities.set('org-c', { id: 'org-c', type: 'note', data: { text: 'org note' }, space: 'org:acme' });
    await settle(ada);

    const grace = await engine(s, 'grace', { spaces: ['review:1', 'org:acme'], defaultSpace: 'org:acme' });
    await grace.k.spaces.open('review:1');
    await expect(grace.k.spaces.open('review:2')).rejects.toMatchObject({ code: 'forbidden' });
    await settle(grace);
    expect(idsIn(grace.k, 'review:1')).toEqual(['r1-c']);
    expect(idsIn(grace.k, 'org:acme')).toEqual(['org-c']);
    expect(idsIn(grace.k, 'review:2')).toEqual([]);
    expect(grace.k.spaces.get('review:1')).toMatchObject({ open: true, ready: true, writable: false });
    expect(grace.k.spaces.get('review:2')).toMatchObject({ open: false, error: { code: 'forbidden' } });

    // Known read-only: the write throws before anything is written.
    expect(() => grace.k.store.entities.set('g', note('g', 'review:1', 'drive-by'))).toThrow(expect.objectContaining({ code: 'read-only-space' }));
    expect(grace.k.inspect().flush.pending).toEqual([]);

    // Writable space: grace's write reaches ada.
    grace.k.store.entities.set('org-g', { id: 'org-g', type: 'note', data: { text: 'from grace' } });
    await settle(grace, ada);
    expect(ada.k.store.getById('org-g')).toMatchObject({ space: 'org:acme', data: { text: 'from grace' } });

    // Ada edits review 2 again: pokes and pulls reach grace's wire for the other spaces, never this one.
    ada.k.store.entities.set('r2-c', note('r2-c', 'review:2', 'SECRET-TEXT edited'));
    ada.k.store.entities.set('r1-c', note('r1-c', 'review:1', 'public comment, edited'));
    await settle(ada);
    await vi.waitFor(() => expect(grace.k.store.getById('r1-c')).toMatchObject({ data: { text: 'public comment, edited' } }), { timeout: 5000 });
    expect(grace.wire.text()).not.toContain('SECRET-TEXT');
    expect(grace.wire.text()).not.toContain('r2-c');
    expect(await localIds(grace.pglite, 'review:2')).toEqual([]);
  });

  it('a write made before the client learned the space is read-only is refused and reverted; a refused create disappears', async () => {
    const access: Access = { ada: { shared: ['read', 'write'] }, grace: { shared: ['read'] } };
    const s = await server(access);
    const ada = await engine(s, 'ada', { defaultSpace: 'shared', spaces: ['shared'] });
    ada.k.store.entities.set('doc', note('doc', 'shared', 'original'));
    await settle(ada);
    // Grace writes before her first pull says the space is read-only (its pull is held back).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const grace = await engine(s, 'grace', {
      defaultSpace: 'shared',
      spaces: ['shared'],
      fetch: async (input, init) => {
        if (new URL(String(input)).pathname.endsWith('/pull')) await held;
        return fetch(input, init);
      },
    });
    grace.k.store.entities.set('doc', note('doc', 'shared', 'overwritten by grace'));
    grace.k.store.entities.set('new', note('new', 'shared', 'created by grace'));
    await grace.k.flush();
    await grace.k.sync!.push();
    release();
    await settle(grace);
    expect(grace.k.store.getById('doc')).toMatchObject({ data: { text: 'original' } });
    expect(grace.k.store.getById('new')).toBeNull();
    expect(await localIds(grace.pglite, 'shared')).toEqual(['doc']);
    const refusals = grace.k.events.filter((e) => e.type === 'sync:refused');
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({ space: 'shared', reason: expect.stringContaining('may not write') });
    expect(grace.k.spaces.get('shared')).toMatchObject({ writable: false, unacknowledged: 0, lastRefusal: { reason: expect.stringContaining('may not write') } });
    // The change log keeps each refused write with its reason.
    const log = await grace.k.changeLog();
    expect(log.map((entry) => [entry.entityId, entry.acknowledged, entry.refusal])).toEqual([
      ['new', true, expect.stringContaining('may not write')],
      ['doc', true, expect.stringContaining('may not write')],
    ]);
    await ada.k.sync!.pull();
    expect(ada.k.store.getById('doc')).toMatchObject({ data: { text: 'original' } });
    // Pulled again from no cookie, the server repeats its stored refusals: they are no news.
    await grace.k.spaces.close('shared', { forget: true });
    await grace.k.spaces.open('shared');
    expect(grace.k.events.filter((e) => e.type === 'sync:refused')).toHaveLength(2);
  });

  it('write permission revoked with writes unpushed: they drain as refused, memory shows the server, other spaces carry on', async () => {
    const access: Access = { ada: { a: ['read', 'write'], b: ['read', 'write'] } };
    const s = await server(access);
    const ada = await engine(s, 'ada', { spaces: ['a', 'b'], defaultSpace: 'a' });
    ada.k.store.entities.set('x', note('x', 'a', 'v1'));
    await settle(ada);
    await ada.k.sync!.pause();
    ada.k.store.entities.set('x', note('x', 'a', 'v2 never allowed'));
    ada.k.store.entities.set('y', note('y', 'b', 'fine'));
    await ada.k.flush();
    access.ada!.a = ['read'];
    ada.k.sync!.resume();
    await settle(ada);
    expect(ada.k.store.getById('x')).toMatchObject({ data: { text: 'v1' } });
    expect(ada.k.store.getById('y')).toMatchObject({ data: { text: 'fine' } });
    expect(ada.k.inspect().outbox.length).toBe(0);
    expect(ada.k.spaces.get('a').writable).toBe(false);
    expect(ada.k.spaces.get('b').writable).toBe(true);
  });

  it('read permission revoked: the space closes, its memory and local copy go, its unpushed writes are reported refused', async () => {
    const access: Access = { ada: { a: ['read', 'write'], b: ['read', 'write'] } };
    const s = await server(access);
    const ada = await engine(s, 'ada', { spaces: ['a', 'b'], defaultSpace: 'a' });
    ada.k.store.entities.set('x', note('x', 'a', 'kept on the server'));
    ada.k.store.entities.set('y', note('y', 'b', 'other space'));
    await settle(ada);
    await ada.k.sync!.pause();
    ada.k.store.entities.set('x2', note('x2', 'a', 'unpushed'));
    await ada.k.flush();
    access.ada!.a = [];
    ada.k.sync!.resume();
    await vi.waitFor(() => expect(ada.k.spaces.get('a').open).toBe(false), { timeout: 5000 });
    expect(idsIn(ada.k, 'a')).toEqual([]);
    expect(idsIn(ada.k, 'b')).toEqual(['y']);
    expect(await localIds(ada.pglite, 'a')).toEqual([]);
    expect(ada.k.events.find((e) => e.type === 'space:lost')).toMatchObject({ space: 'a', droppedWrites: 1, error: { code: 'forbidden' } });
    expect(ada.k.events.filter((e) => e.type === 'sync:refused' && e.space === 'a')).toHaveLength(1);
    expect(ada.k.inspect().outbox.length).toBe(0);
    expect(() => ada.k.store.entities.set('x3', note('x3', 'a', 'no'))).toThrow(expect.objectContaining({ code: 'space-not-open' }));

    // Access back: the space opens again as a new client group whose clients have new ids, so the
    // server neither skips a new write as done nor waits for the ids of the writes given up.
    access.ada!.a = ['read', 'write'];
    await ada.k.spaces.open('a');
    expect(idsIn(ada.k, 'a')).toEqual(['x']);
    ada.k.store.entities.set('x4', note('x4', 'a', 'after access came back'));
    await settle(ada);
    expect(ada.k.sync!.status.blocked).toBeNull();
    const other = await engine(s, 'ada', { spaces: ['a'], defaultSpace: 'a' });
    await other.k.sync!.pull();
    expect(idsIn(other.k, 'a')).toEqual(['x', 'x4']);
  });

  it('closing drops a space from memory but keeps its local copy and pushes its writes; forget deletes the copy', async () => {
    const s = await server({ ada: { a: ['read', 'write'], b: ['read', 'write'] } });
    const ada = await engine(s, 'ada', { spaces: ['a', 'b'], defaultSpace: 'a' });
    ada.k.store.entities.set('x', note('x', 'b', 'written just before closing'));
    await ada.k.spaces.close('b');
    expect(idsIn(ada.k, 'b')).toEqual([]);
    expect(ada.k.spaces.get('b')).toMatchObject({ open: false });
    await vi.waitFor(() => expect(ada.k.inspect().outbox.length).toBe(0), { timeout: 5000 });
    expect(await localIds(ada.pglite, 'b')).toEqual(['x']);
    const other = await engine(s, 'ada', { spaces: ['b'], defaultSpace: 'b' });
    await other.k.sync!.pull();
    expect(other.k.store.getById('x')).toMatchObject({ data: { text: 'written just before closing' } });

    await ada.k.spaces.open('b');
    expect(idsIn(ada.k, 'b')).toEqual(['x']);
    await ada.k.spaces.close('b', { forget: true });
    expect(await localIds(ada.pglite, 'b')).toEqual([]);
    // Opening it again pulls it whole: the cookie went with the copy.
    await ada.k.spaces.open('b');
    expect(idsIn(ada.k, 'b')).toEqual(['x']);
  });

  it('a closing space takes no more writes; opening it meanwhile waits for the close and opens it afresh', async () => {
    const s = await server({ ada: { a: ['read', 'write'], b: ['read', 'write'] } });
    const ada = await engine(s, 'ada', { spaces: ['a', 'b'], defaultSpace: 'a' });
    ada.k.store.entities.set('x', note('x', 'b', 'before closing'));
    const closing = ada.k.spaces.close('b');
    expect(() => ada.k.store.entities.set('late', note('late', 'b', 'too late'))).toThrow(expect.objectContaining({ code: 'space-not-open' }));
    const reopening = ada.k.spaces.open('b');
    await closing;
    await reopening;
    expect(ada.k.spaces.get('b')).toMatchObject({ open: true });
    expect(idsIn(ada.k, 'b')).toEqual(['x']);
  });

  it('writes not yet flushed when read access is lost are given up, not flushed as deletes', async () => {
    const access: Access = { ada: { a: ['read', 'write'], b: ['read', 'write'] } };
    const s = await server(access);
    const ada = await engine(s, 'ada', { spaces: ['a', 'b'], defaultSpace: 'a', flushDelayMs: 60_000, flushMaxWaitMs: 60_000 });
    ada.k.store.entities.set('x', note('x', 'a', 'on the server'));
    await settle(ada);
    ada.k.store.entities.set('x', note('x', 'a', 'edited, not flushed'));
    access.ada!.a = [];
    await ada.k.sync!.pull().catch(() => {});
    await vi.waitFor(() => expect(ada.k.spaces.get('a').open).toBe(false));
    await ada.k.flush();
    expect((await ada.k.changeLog()).filter((entry) => entry.space === 'a' && !entry.acknowledged)).toEqual([]);
    expect(ada.k.inspect().outbox.length).toBe(0);
  });

  it('opening a large space reports its first pull page by page', async () => {
    const s = await server({ ada: { big: ['read', 'write'], default: ['read', 'write'] } });
    const writer = await engine(s, 'ada', { spaces: ['big'], defaultSpace: 'big' });
    writer.k.store.batch(() => {
      for (let i = 0; i < 50; i++) writer.k.store.entities.set(`n${i}`, note(`n${i}`, 'big', `note ${i}`));
    });
    await settle(writer);
    const reader = await engine(s, 'ada', { pullPageSize: 10 });
    await reader.k.spaces.open('big');
    const progress = reader.k.events.filter((e) => e.type === 'space:progress' && e.space === 'big').map((e) => (e.type === 'space:progress' ? [e.pages, e.entities, e.more] : []));
    expect(progress[0]).toEqual([1, 10, true]);
    expect(progress.at(-1)).toEqual([5, 50, false]);
    expect(idsIn(reader.k, 'big')).toHaveLength(50);
    expect(reader.k.spaces.get('big')).toMatchObject({ ready: true, progress: null });
  });

  it('an id the client holds in another space is kept aside in the local db, not applied to memory', async () => {
    const s = await server({ ada: { a: ['read', 'write'], b: ['read', 'write'] }, grace: { b: ['read', 'write'] } });
    const grace = await engine(s, 'grace', { spaces: ['b'], defaultSpace: 'b' });
    grace.k.store.entities.set('same', note('same', 'b', "grace's"));
    await settle(grace);
    const ada = await engine(s, 'ada', { spaces: ['a'], defaultSpace: 'a' });
    ada.k.store.entities.set('same', note('same', 'a', "ada's"));
    await ada.k.spaces.open('b');
    expect(ada.k.store.getById('same')).toMatchObject({ space: 'a', data: { text: "ada's" } });
    expect(await localIds(ada.pglite, 'b')).toEqual(['same']);
    expect(ada.k.events.find((e) => e.type === 'space:held-aside')).toMatchObject({ space: 'b', id: 'same', heldIn: 'a' });
  });
});
