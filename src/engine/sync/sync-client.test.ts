import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPGliteBackend } from '../../server/pglite-backend.js';
import { startSyncServer, type StartSyncServerOptions, type SyncServer } from '../../server/http.js';
import { freshPGlite } from '../../test-support/pglite.js';
import type { Entity } from '../store/entity.js';
import { createKalphite, type Kalphite, type KalphiteOptions } from '../kalphite.js';

const note = (id: string, text: string): Entity => ({ id, type: 'note', data: { text }, space: 'default' });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: StartSyncServerOptions = {}): Promise<SyncServer> {
  const s = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()), ...options });
  cleanups.push(() => s.close());
  return s;
}

async function engine(s: SyncServer | string, options: KalphiteOptions = {}): Promise<Kalphite> {
  const url = typeof s === 'string' ? s : `${s.url}/api/sync`;
  const k = await createKalphite({
    ...(options.dataDir === undefined && { pglite: await freshPGlite() }),
    syncUrl: url,
    pushDelayMs: 0,
    pullIntervalMs: 60_000,
    flushDelayMs: 0,
    syncRetry: { baseMs: 20, maxMs: 200 },
    ...options,
  });
  cleanups.push(() => k.close());
  return k;
}

/** Flush, push and pull every engine until nothing is left to send. */
async function settle(...engines: Kalphite[]): Promise<void> {
  for (let round = 0; round < 5; round++) {
    for (const k of engines) await k.flush();
    for (const k of engines) await k.sync!.push();
    for (const k of engines) await k.sync!.pull();
    if (engines.every((k) => k.inspect().outbox.length === 0 && k.inspect().flush.pending.length === 0)) return;
  }
  throw new Error(`not settled: ${engines.map((k) => k.inspect().outbox.length).join(', ')}`);
}

/** The sync route a request goes to (`…/push?space=default` is push). */
const routeOf = (input: RequestInfo | URL): string => new URL(String(input)).pathname.split('/').pop() ?? '';

/** A fetch whose first push reaches the server (which commits it) but whose answer is lost. */
function losingFirstPushResponse(): typeof fetch {
  let lose = 1;
  return async (input, init) => {
    const response = await fetch(input, init);
    if (routeOf(input) === 'push' && lose-- > 0) throw new TypeError('connection reset after the server committed');
    return response;
  };
}

const snapshot = (k: Kalphite) => Object.fromEntries([...k.store.entities].sort(([a], [b]) => a.localeCompare(b)));

async function serverState(s: SyncServer) {
  const pulled = await s.core.pull({ pullVersion: 1, clientGroupID: 'observer', profileID: '', schemaVersion: '', cookie: null });
  const state: Record<string, unknown> = {};
  for (const op of pulled.patch) if (op.op === 'put') state[op.key] = op.value;
  return Object.fromEntries(Object.entries(state).sort(([a], [b]) => a.localeCompare(b)));
}

describe('sync through a real server on loopback', () => {
  it('two and three engines converge: memory, local dbs and server agree', async () => {
    const s = await server();
    const [a, b, c] = await Promise.all([engine(s), engine(s), engine(s)]);
    a.store.entities.set('a1', note('a1', 'from a'));
    b.store.entities.set('b1', note('b1', 'from b'));
    c.store.batch(() => {
      for (let i = 0; i < 20; i++) c.store.entities.set(`c${i}`, note(`c${i}`, 'from c'));
    });
    await settle(a, b, c);
    await settle(a, b, c);
    const expected = await serverState(s);
    expect(Object.keys(expected)).toHaveLength(22);
    for (const k of [a, b, c]) expect(snapshot(k)).toEqual(expected);
    expect(a.sync!.status).toMatchObject({ unacknowledged: 0, online: true, spaces: [{ space: 'default', acknowledgedMutationId: 1 }] });
    expect(await c.sync!.verify()).toMatchObject({ matches: true, serverEntities: 22, pending: 0 });
    c.store.entities.set('unsent', note('unsent', 'still local'));
    expect(await c.sync!.verify()).toMatchObject({ matches: true, pending: 1 });
  });

  it('a poke makes the other engine pull at once', async () => {
    const s = await server();
    const [a, b] = await Promise.all([engine(s), engine(s)]);
    await vi.waitFor(() => expect(b.sync!.status.poke).toBe('open'));
    const arrived = new Promise<void>((resolve) =>
      b.subscribe((event) => {
        if (event.type === 'store:changed' && event.origin === 'server') resolve();
      }),
    );
    a.store.entities.set('x', note('x', 'hello b'));
    await arrived;
    expect(b.store.getById('x')).toEqual(note('x', 'hello b'));
    expect(b.events.some((e) => e.type === 'sync:poke')).toBe(true);
  });

  it('a push whose response is lost is retried without applying twice', async () => {
    const s = await server();
    const lossy = losingFirstPushResponse();
    const [a, b] = await Promise.all([engine(s, { fetch: lossy }), engine(s)]);
    a.store.entities.set('x', note('x', 'once'));
    await a.flush();
    await expect(a.sync!.push()).rejects.toMatchObject({ code: 'network' });
    b.store.entities.set('x', note('x', 'newer from b'));
    await settle(b);
    await settle(a, b);
    expect(a.store.getById('x')).toEqual(note('x', 'newer from b'));
    expect(a.events.filter((e) => e.type === 'sync:request-failed')).toHaveLength(1);
  });

  it('concurrent edits resolve to the server commit order everywhere; a deleted entity stays deleted', async () => {
    const s = await server();
    const [a, b] = await Promise.all([engine(s, { poke: false }), engine(s, { poke: false })]);
    a.store.entities.set('doc', note('doc', 'v0'));
    await settle(a, b);
    a.store.entities.set('doc', note('doc', 'edit by a'));
    b.store.entities.set('doc', note('doc', 'edit by b'));
    await a.flush();
    await b.flush();
    await b.sync!.push();
    await a.sync!.push();
    await settle(a, b);
    expect(a.store.getById('doc')).toEqual(note('doc', 'edit by a'));
    expect(b.store.getById('doc')).toEqual(note('doc', 'edit by a'));

    a.store.entities.delete('doc');
    b.store.entities.set('doc', note('doc', 'edited while a deleted'));
    await a.flush();
    await a.sync!.push();
    await settle(b);
    await settle(a, b);
    expect(a.store.getById('doc')).toBeNull();
    expect(b.store.getById('doc')).toBeNull();
    expect(await serverState(s)).toEqual({});
  });

  it('a local edit made while a pull is in flight is not overwritten', async () => {
    const s = await server();
    const [a, b] = await Promise.all([engine(s, { poke: false }), engine(s, { poke: false })]);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holdPull = false;
    const slow: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (holdPull && routeOf(input) === 'pull') await gate;
      return response;
    };
    const c = await engine(s, { fetch: slow, poke: false });
    a.store.entities.set('doc', note('doc', 'server value'));
    await settle(a);
    holdPull = true;
    const pulling = c.sync!.pull();
    await vi.waitFor(() => expect(c.sync!.status.pulling).toBe(true));
    c.store.entities.set('doc', note('doc', 'typed during the pull'));
    release();
    await pulling;
    expect(c.store.getById('doc')).toEqual(note('doc', 'typed during the pull'));
    holdPull = false;
    await settle(c, a, b);
    for (const k of [a, b, c]) expect(k.store.getById('doc')).toEqual(note('doc', 'typed during the pull'));
  });

  it('a write the server refuses is acknowledged and replaced by the server value', async () => {
    // Entities of type "locked" keep their first value: later writes are refused.
    const s = await server({ resolvers: { locked: (incoming, current) => (current ? null : incoming) } });
    const [a, b] = await Promise.all([engine(s, { poke: false }), engine(s, { poke: false })]);
    a.store.entities.set('l', { id: 'l', type: 'locked', data: { v: 'original' } });
    await settle(a, b);
    b.store.entities.set('l', { id: 'l', type: 'locked', data: { v: 'not allowed' } });
    await settle(b);
    expect(b.store.getById('l')).toEqual({ id: 'l', type: 'locked', data: { v: 'original' }, space: 'default' });
    expect(b.inspect().outbox.length).toBe(0);
  });

  it('offline writes survive a client restart and reach the server when it is back', async () => {
    const s = await server();
    const dataDir = mkdtempSync(join(tmpdir(), 'kalphite-offline-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const offline: typeof fetch = async () => {
      throw new TypeError('network down');
    };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const first = await createKalphite({ dataDir, syncUrl: `${s.url}/api/sync`, fetch: offline, pushDelayMs: 0, flushDelayMs: 0, poke: false });
    first.store.entities.set('o1', note('o1', 'written offline'));
    await vi.advanceTimersByTimeAsync(60 * 60 * 1000);
    expect(first.sync!.status).toMatchObject({ online: false, unacknowledged: 1 });
    first.store.entities.set('o2', note('o2', 'an hour later'));
    await first.close();
    vi.useRealTimers();

    const second = await engine(s, { dataDir });
    expect(second.store.getById('o1')).toEqual(note('o1', 'written offline'));
    await settle(second);
    expect(Object.keys(await serverState(s))).toEqual(['o1', 'o2']);
  });

  it('a server restart between push and pull loses nothing (PGlite folder)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kalphite-restart-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const first = await startSyncServer({ db: dir });
    const port = Number(new URL(first.url).port);
    const a = await engine(`${first.url}/api/sync`, { poke: false });
    a.store.entities.set('r', note('r', 'survives'));
    await a.flush();
    await a.sync!.push();
    await first.close();
    await expect(a.sync!.pull()).rejects.toMatchObject({ code: 'network' });
    const second = await startSyncServer({ db: dir, port });
    cleanups.push(() => second.close());
    await settle(a);
    expect(a.sync!.status.unacknowledged).toBe(0);
    expect(await serverState(second)).toEqual({ r: note('r', 'survives') });
  });

  it('never has two pushes or two pulls in flight, however often it is asked', async () => {
    const s = await server();
    const inFlight = { push: 0, pull: 0 };
    const most = { push: 0, pull: 0 };
    const counting: typeof fetch = async (input, init) => {
      const route = routeOf(input) === 'push' ? 'push' : routeOf(input) === 'pull' ? 'pull' : null;
      if (!route) return fetch(input, init);
      most[route] = Math.max(most[route], ++inFlight[route]);
      try {
        return await fetch(input, init);
      } finally {
        inFlight[route]--;
      }
    };
    const a = await engine(s, { fetch: counting, poke: false });
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      a.store.entities.set(`n${i}`, note(`n${i}`, 'x'));
      await a.flush();
      calls.push(a.sync!.push(), a.sync!.pull());
    }
    await Promise.all(calls);
    await settle(a);
    expect(most).toEqual({ push: 1, pull: 1 });
    expect(Object.keys(await serverState(s))).toHaveLength(20);
  });

  it('goes offline on network failures and resumes at once when the platform says it is back', async () => {
    const s = await server();
    let up = false;
    let announce: (online: boolean) => void = () => {};
    const flaky: typeof fetch = async (input, init) => {
      if (!up) throw new TypeError('offline');
      return fetch(input, init);
    };
    const a = await engine(s, {
      fetch: flaky,
      poke: false,
      syncRetry: { baseMs: 60_000, maxMs: 60_000 },
      environment: { isOnline: () => up, onConnectivityChange: (cb) => ((announce = cb), () => {}) },
    });
    a.store.entities.set('o', note('o', 'queued while offline'));
    await a.flush();
    await expect(a.sync!.push()).rejects.toMatchObject({ code: 'network' });
    expect(a.sync!.status.online).toBe(false);
    up = true;
    announce(true);
    await vi.waitFor(async () => expect(Object.keys(await serverState(s))).toEqual(['o']));
    await vi.waitFor(() => expect(a.sync!.status).toMatchObject({ online: true, unacknowledged: 0 }));
    expect(a.events.some((e) => e.type === 'sync:status' && e.online)).toBe(true);
  });

  it('setOffline fails every request like a lost network; back online it catches up at once', async () => {
    const s = await server();
    const a = await engine(s, { syncRetry: { baseMs: 60_000, maxMs: 60_000 } });
    await a.sync!.pull();
    a.sync!.setOffline(true);
    expect(a.sync!.status).toMatchObject({ online: false, simulatedOffline: true, poke: 'closed' });
    a.store.entities.set('o', note('o', 'written offline'));
    await a.flush();
    await expect(a.sync!.push()).rejects.toMatchObject({ code: 'network' });
    expect(a.events.some((e) => e.type === 'sync:request-failed' && e.kind === 'push' && e.error.code === 'network')).toBe(true);
    expect(await serverState(s)).toEqual({});
    a.sync!.setOffline(false);
    await vi.waitFor(() => expect(a.sync!.status).toMatchObject({ online: true, simulatedOffline: false, unacknowledged: 0 }));
    expect(Object.keys(await serverState(s))).toEqual(['o']);
  });

  it('reset drops unsynced local data and starts again as a new client with the server state', async () => {
    const s = await server();
    const [a, b] = await Promise.all([engine(s), engine(s)]);
    a.store.entities.set('shared', note('shared', 'on the server'));
    await settle(a);
    b.sync!.pause();
    b.store.entities.set('lost', note('lost', 'never pushed'));
    await b.flush();
    b.store.entities.set('pending', note('pending', 'not even flushed'));
    const oldClient = b.clientId;
    await b.reset();
    expect(b.clientId).not.toBe(oldClient);
    expect(b.store.entities.size).toBe(0);
    expect(b.inspect()).toMatchObject({ outbox: { length: 0 }, flush: { pending: [] }, sync: { paused: true, spaces: [] } });
    expect(b.events.find((e) => e.type === 'db:reset')).toMatchObject({ clientId: b.clientId, droppedEntities: 3, droppedChanges: 2 });
    b.sync!.resume();
    await vi.waitFor(async () => expect(snapshot(b)).toEqual(await serverState(s)));
    expect(Object.keys(snapshot(b))).toEqual(['shared']);
    // The new client's first mutation is id 1 and the server takes it.
    b.store.entities.set('after', note('after', 'after the reset'));
    await settle(b);
    expect(b.sync!.status).toMatchObject({ spaces: [{ space: 'default', acknowledgedMutationId: 1 }], unacknowledged: 0 });
    expect(Object.keys(await serverState(s)).sort()).toEqual(expect.arrayContaining(['after', 'shared']));
    expect(await b.changeLog()).toHaveLength(1);
  });

  it('pause stops every request; resume catches up', async () => {
    const s = await server();
    const [a, b] = await Promise.all([engine(s), engine(s)]);
    b.sync!.pause();
    expect(b.sync!.status).toMatchObject({ paused: true });
    a.store.entities.set('p', note('p', 'while b is paused'));
    await settle(a);
    await b.sync!.pull();
    expect(b.store.getById('p')).toBeNull();
    b.sync!.resume();
    await vi.waitFor(() => expect(b.store.getById('p')).toEqual(note('p', 'while b is paused')));
  });
});

/** Resolves once the server holds exactly these ids, however long the engine takes (up to 5 s). */
const serverHolds = (s: SyncServer, ids: readonly string[]) =>
  vi.waitFor(async () => expect(Object.keys(await serverState(s)).sort()).toEqual([...ids].sort()), { timeout: 5000, interval: 20 });

describe('the push rule: while the outbox holds rows, a push is scheduled (no push or pull by hand)', () => {
  it('after a push whose response was lost, later writes are still pushed', async () => {
    const s = await server();
    const lossy = losingFirstPushResponse();
    // The retry waits longer than the poke's pull, which acknowledges the write first.
    const a = await engine(s, { fetch: lossy, syncRetry: { baseMs: 400, maxMs: 400 } });
    await vi.waitFor(() => expect(a.sync!.status.poke).toBe('open'));
    a.store.entities.set('w0', note('w0', 'response lost'));
    await vi.waitFor(() => expect(a.sync!.status.unacknowledged).toBe(0), { timeout: 5000 });
    for (let i = 1; i <= 5; i++) {
      a.store.entities.set(`w${i}`, note(`w${i}`, 'later'));
      await a.flush();
    }
    await serverHolds(s, ['w0', 'w1', 'w2', 'w3', 'w4', 'w5']);
    await vi.waitFor(() => expect(a.sync!.status).toMatchObject({ unacknowledged: 0, lastError: null }));
  });

  it('a write flushed while a retried push is in flight is pushed after it', async () => {
    const s = await server();
    let pushes = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let retryStarted: () => void = () => {};
    const retrying = new Promise<void>((resolve) => (retryStarted = resolve));
    const faulty: typeof fetch = async (input, init) => {
      if (routeOf(input) === 'push') {
        pushes++;
        if (pushes === 1) throw new TypeError('dropped before the server');
        if (pushes === 2) {
          retryStarted();
          await held;
        }
      }
      return fetch(input, init);
    };
    const a = await engine(s, { fetch: faulty, poke: false });
    a.store.entities.set('first', note('first', 'retried'));
    await retrying;
    a.store.entities.set('second', note('second', 'flushed during the retry'));
    await a.flush();
    release();
    await serverHolds(s, ['first', 'second']);
  });
});

/** A fetch that answers push requests itself while `answer` returns a response. */
function interceptPush(answer: (body: string) => Response | null): { fetch: typeof fetch; pushes: () => number } {
  let pushes = 0;
  return {
    pushes: () => pushes,
    fetch: async (input, init) => {
      if (routeOf(input) === 'push') {
        pushes++;
        const own = answer(String(init?.body ?? ''));
        if (own) return own;
      }
      return fetch(input, init);
    },
  };
}

const jsonResponse = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('no value blocks the outbox', () => {
  it('a truncated emoji is refused at entities.set; the next write reaches another client', async () => {
    const s = await server();
    const [a, b] = await Promise.all([engine(s), engine(s)]);
    expect(() => a.store.entities.set('bad', note('bad', '😀'.slice(0, 1)))).toThrow(expect.objectContaining({ code: 'not-serializable' }));
    a.store.entities.set('good', note('good', 'after the bad one'));
    await vi.waitFor(() => expect(b.store.getById('good')).toEqual(note('good', 'after the bad one')), { timeout: 5000 });
  });

  it('a value the server cannot store (from a client that does not check) is refused with its reason; the next write arrives', async () => {
    const s = await server();
    // Stands in for an older client: a NUL slipped into the pushed value.
    const sneaky = interceptPush(() => null);
    const smuggle: typeof fetch = (input, init) =>
      sneaky.fetch(input, routeOf(input) === 'push' ? { ...init, body: String(init?.body).replace('"smuggled"', '"nul\\u0000"') } : init);
    const [a, b] = await Promise.all([engine(s, { fetch: smuggle }), engine(s)]);
    a.store.entities.set('bad', note('bad', 'smuggled'));
    await vi.waitFor(() => expect(a.events.some((e) => e.type === 'sync:refused')).toBe(true), { timeout: 5000 });
    const refusal = a.events.find((e) => e.type === 'sync:refused');
    expect(refusal).toMatchObject({ clientId: a.clientId, mutationId: 1, reason: expect.stringContaining('NUL') });
    // The optimistic create of an id the server never stored is gone, from memory and the local db.
    await vi.waitFor(() => expect(a.store.getById('bad')).toBeNull());
    a.store.entities.set('good', note('good', 'next'));
    await vi.waitFor(() => expect(b.store.getById('good')).toEqual(note('good', 'next')), { timeout: 5000 });
    expect(a.sync!.status).toMatchObject({ unacknowledged: 0, blocked: null });
    expect(b.store.getById('bad')).toBeNull();
  });

  it('500 notes of 2.5 KB reach the server in pushes under its body limit', async () => {
    const s = await server();
    const a = await engine(s, { poke: false });
    const text = 'x'.repeat(2500);
    a.store.batch(() => {
      for (let i = 0; i < 500; i++) a.store.entities.set(`n${i}`, note(`n${i}`, text));
    });
    await a.flush();
    await vi.waitFor(() => expect(a.sync!.status.unacknowledged).toBe(0), { timeout: 20_000 });
    expect(Object.keys(await serverState(s))).toHaveLength(500);
    const pushes = a.events.filter((e) => e.type === 'sync:push-started');
    expect(pushes.length).toBeGreaterThan(1);
    for (const push of pushes) expect(push.type === 'sync:push-started' && push.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(a.events.some((e) => e.type === 'sync:request-failed')).toBe(false);
  });

  it("a server with a smaller limit answers 413: the engine learns it and splits the push", async () => {
    const s = await server({ maxBodyBytes: 64 * 1024 });
    const a = await engine(s, { poke: false });
    a.store.batch(() => {
      for (let i = 0; i < 100; i++) a.store.entities.set(`n${i}`, note(`n${i}`, 'y'.repeat(2000)));
    });
    await a.flush();
    await vi.waitFor(() => expect(a.sync!.status.unacknowledged).toBe(0), { timeout: 20_000 });
    expect(Object.keys(await serverState(s))).toHaveLength(100);
    const failed = a.events.filter((e) => e.type === 'sync:request-failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.every((e) => e.type === 'sync:request-failed' && e.status === 413 && !e.permanent)).toBe(true);
    // The 413 named the server's limit: every later push fits it.
    const later = a.events.filter((e) => e.type === 'sync:push-started' && e.at >= failed[0]!.at);
    expect(later.length).toBeGreaterThan(1);
    for (const push of later) expect(push.type === 'sync:push-started' && push.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(a.sync!.status).toMatchObject({ lastError: null, blocked: null });
  });

  it('refuses at entities.set an entity larger than the push limit', async () => {
    const s = await server();
    const a = await engine(s, { maxPushBytes: 16 * 1024 });
    expect(() => a.store.entities.set('big', note('big', 'z'.repeat(16 * 1024)))).toThrow(expect.objectContaining({ code: 'entity-too-large' }));
    a.store.entities.set('fits', note('fits', 'z'.repeat(8 * 1024)));
    await vi.waitFor(async () => expect(Object.keys(await serverState(s))).toEqual(['fits']), { timeout: 5000 });
  });
});

describe('permanent and passing errors', () => {
  it('one mutation too large for the server stops pushing (reported, kept); a write or retry() sends again; dropBlocked() gives it up', async () => {
    const s = await server({ maxBodyBytes: 8 * 1024 });
    const [a, b] = await Promise.all([engine(s), engine(s)]);
    a.store.entities.set('huge', note('huge', 'h'.repeat(20 * 1024)));
    await vi.waitFor(() => expect(a.sync!.status.blocked).toMatchObject({ status: 413, mutations: 1 }), { timeout: 5000 });
    const failure = a.events.find((e) => e.type === 'sync:request-failed' && e.permanent);
    expect(failure).toMatchObject({ kind: 'push', status: 413, retryInMs: null, permanent: true });
    expect(a.inspect().lastError).toMatchObject({ code: 'server-error' });
    expect(a.sync!.status.unacknowledged).toBe(1);
    const attempts = () => a.events.filter((e) => e.type === 'sync:push-started').length;
    const before = attempts();
    a.sync!.retry();
    await vi.waitFor(() => expect(attempts()).toBe(before + 1));
    await vi.waitFor(() => expect(a.sync!.status.blocked).not.toBeNull());
    expect(await a.sync!.dropBlocked()).toBe(1);
    await vi.waitFor(() => expect(a.sync!.status).toMatchObject({ unacknowledged: 0, blocked: null }), { timeout: 5000 });
    // The server never had it: the optimistic create is gone, and later writes flow.
    await vi.waitFor(() => expect(a.store.getById('huge')).toBeNull());
    expect((await a.changeLog())[0]).toMatchObject({ entityId: 'huge', op: 'discard', acknowledged: true });
    a.store.entities.set('small', note('small', 'after the drop'));
    await vi.waitFor(() => expect(b.store.getById('small')).toEqual(note('small', 'after the drop')), { timeout: 5000 });
    expect(a.sync!.status.lastError).toBeNull();
  });

  it('a 403 is not retried on its own: no push in the next minute; the next write tries again', async () => {
    const s = await server();
    let refuse = true;
    const gate = interceptPush(() => (refuse ? jsonResponse(403, { error: 'forbidden', message: 'Not yours.' }) : null));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const a = await engine(s, { fetch: gate.fetch, poke: false });
    a.store.entities.set('p', note('p', 'not allowed'));
    await a.flush();
    await vi.waitFor(() => expect(gate.pushes()).toBe(1));
    expect(a.sync!.status.blocked).toMatchObject({ status: 403 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gate.pushes()).toBe(1);
    refuse = false;
    a.store.entities.set('q', note('q', 'a new write'));
    await a.flush();
    vi.useRealTimers();
    await vi.waitFor(async () => expect(Object.keys(await serverState(s)).sort()).toEqual(['p', 'q']), { timeout: 5000 });
    expect(gate.pushes()).toBe(2);
  });

  it('a 401 is retried with backoff until the token works', async () => {
    const s = await server();
    let refusals = 2;
    const gate = interceptPush(() => (refusals-- > 0 ? jsonResponse(401, { error: 'unauthorized', message: 'Token expired.' }) : null));
    const a = await engine(s, { fetch: gate.fetch, poke: false });
    a.store.entities.set('t', note('t', 'after a refresh'));
    await vi.waitFor(async () => expect(Object.keys(await serverState(s))).toEqual(['t']), { timeout: 5000 });
    const failed = a.events.filter((e) => e.type === 'sync:request-failed');
    expect(failed).toHaveLength(2);
    expect(failed.every((e) => e.type === 'sync:request-failed' && e.status === 401 && !e.permanent && e.retryInMs !== null)).toBe(true);
    await vi.waitFor(() => expect(a.sync!.status).toMatchObject({ lastError: null, unacknowledged: 0 }));
    expect(a.inspect().lastError).toBeNull();
  });

  it('a connection cut in the middle of the answer is a network error, retried', async () => {
    const s = await server();
    let cut = 1;
    const cutting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (routeOf(input) !== 'push' || cut-- <= 0) return response;
      const broken = new ReadableStream<Uint8Array>({ start: (controller) => controller.error(new TypeError('terminated')) });
      return new Response(broken, { status: 200 });
    };
    const a = await engine(s, { fetch: cutting, poke: false });
    a.store.entities.set('c', note('c', 'cut'));
    await a.flush();
    await vi.waitFor(() => expect(a.sync!.status.unacknowledged).toBe(0), { timeout: 5000 });
    expect(a.events.find((e) => e.type === 'sync:request-failed')).toMatchObject({ kind: 'push', error: { code: 'network' }, permanent: false });
  });
});
