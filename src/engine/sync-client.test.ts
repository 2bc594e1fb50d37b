import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPGliteBackend } from '../server/pglite-backend.js';
import { startSyncServer, type StartSyncServerOptions, type SyncServer } from '../server/http.js';
import { freshPGlite } from '../test-support/pglite.js';
import type { Entity } from './entity.js';
import { createKalphite, type Kalphite, type KalphiteOptions } from './kalphite.js';

const note = (id: string, text: string): Entity => ({ id, type: 'note', data: { text } });

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
    expect(a.sync!.status).toMatchObject({ unacknowledged: 0, online: true, lastMutationID: 1 });
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
        if (event.type === 'store:changed' && event.origin === 'remote') resolve();
      }),
    );
    a.store.entities.set('x', note('x', 'hello b'));
    await arrived;
    expect(b.store.getById('x')).toEqual(note('x', 'hello b'));
    expect(b.events.some((e) => e.type === 'sync:poke')).toBe(true);
  });

  it('a push whose response is lost is retried without applying twice', async () => {
    const s = await server();
    let lose = 1;
    const lossy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/push') && lose-- > 0) throw new TypeError('connection reset after the server committed');
      return response;
    };
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
      if (holdPull && String(input).endsWith('/pull')) await gate;
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
    expect(b.store.getById('l')).toEqual({ id: 'l', type: 'locked', data: { v: 'original' } });
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
      const route = String(input).endsWith('/push') ? 'push' : String(input).endsWith('/pull') ? 'pull' : null;
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
    expect(b.inspect()).toMatchObject({ outbox: { length: 0, lastMutationId: 0 }, flush: { pending: [] }, sync: { paused: true, cookie: null } });
    expect(b.events.find((e) => e.type === 'db:reset')).toMatchObject({ clientId: b.clientId, droppedEntities: 3, droppedChanges: 2 });
    b.sync!.resume();
    await vi.waitFor(async () => expect(snapshot(b)).toEqual(await serverState(s)));
    expect(Object.keys(snapshot(b))).toEqual(['shared']);
    // The new client's first mutation is id 1 and the server takes it.
    b.store.entities.set('after', note('after', 'after the reset'));
    await settle(b);
    expect(b.sync!.status).toMatchObject({ lastMutationID: 1, unacknowledged: 0 });
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
