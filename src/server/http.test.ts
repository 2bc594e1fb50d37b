import { afterEach, describe, expect, it } from 'vitest';
import { createKalphite, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { startSyncServer, type StartSyncServerOptions, type SyncServer } from './http.js';
import { createPGliteBackend } from './pglite-backend.js';

const servers: SyncServer[] = [];
const engines: Kalphite[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((k) => k.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function engine(syncUrl: string): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), syncUrl, pushDelayMs: 0, flushDelayMs: 0, pullIntervalMs: 600_000 });
  engines.push(k);
  return k;
}

async function server(options: StartSyncServerOptions = {}): Promise<SyncServer> {
  const started = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()), ...options });
  servers.push(started);
  return started;
}

const push = (mutations: unknown[]) => ({ pushVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', mutations });
const upsert = (id: number, key: string) => ({ clientID: 'c', id, name: 'upsert', args: { id: key, type: 'note', data: { n: id } }, timestamp: 1 });
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

async function pulled(s: SyncServer) {
  return (await post(`${s.url}/api/sync/pull`, { pullVersion: 1, clientGroupID: 'g', cookie: null })).json() as Promise<{ patch: unknown[]; cookie: number }>;
}

describe('startSyncServer', () => {
  it('serves push and pull on a free port', async () => {
    const s = await server({ port: 0 });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pushed = await post(`${s.url}/api/sync/push`, push([upsert(1, 'a')]));
    expect(pushed.status).toBe(200);
    expect(await pushed.json()).toEqual({});
    expect(await pulled(s)).toMatchObject({ cookie: 1, patch: [{ op: 'clear' }, { op: 'put', key: 'a' }] });
  });

  it.each([
    ['the default base path', {}, '/api/sync'],
    ['a base path of its own, trailing slash and all', { basePath: '/sync/v1/' }, '/sync/v1'],
  ] as const)('gives the syncUrl an engine takes, with %s: two engines sync through it', async (_name, options, path) => {
    const s = await server(options);
    expect(s.syncUrl).toBe(`${s.url}${path}`);
    const a = await engine(s.syncUrl);
    const b = await engine(s.syncUrl);
    await expect.poll(() => b.sync!.status.poke).toBe('open');
    a.store.entities.set('x', { id: 'x', type: 'note', data: { text: 'hello' } });
    // b pulls only on a poke (its interval is ten minutes): push, poke and pull all reached the server.
    await expect.poll(() => b.store.getById('x')).toEqual({ id: 'x', type: 'note', data: { text: 'hello' }, space: 'default' });
  });

  const bad: Array<[string, string | object, number, string]> = [
    ['malformed JSON', '{"pushVersion": 1,', 400, 'malformed-json'],
    ['a body that is not an object', '[1,2]', 400, 'invalid-request'],
    ['wrong types', { ...push([]), clientGroupID: 42 }, 400, 'invalid-request'],
    ['a mutation with a string id', push([{ ...upsert(1, 'a'), id: '1' }]), 400, 'invalid-request'],
    ['an unknown protocol version', { ...push([]), pushVersion: 2 }, 400, 'unsupported-version'],
    ['a mutation from the future', push([upsert(5, 'a')]), 409, 'mutation-from-future'],
  ];
  it.each(bad)('answers %s with a clear JSON error and changes nothing', async (_name, body, status, code) => {
    const s = await server();
    const response = await post(`${s.url}/api/sync/push`, body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    const json = (await response.json()) as { error: string; message: string };
    expect(json.error).toBe(code);
    expect(json.message.length).toBeGreaterThan(10);
    expect((await pulled(s)).patch).toEqual([{ op: 'clear' }]);
  });

  it('refuses an oversized body with 413 before reading it all', async () => {
    const s = await server({ maxBodyBytes: 1000 });
    const big = push(Array.from({ length: 50 }, (_, i) => upsert(i + 1, `k${i}`)));
    const response = await post(`${s.url}/api/sync/push`, big);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'payload-too-large', maxBodyBytes: 1000 });
    expect((await pulled(s)).patch).toEqual([{ op: 'clear' }]);
  });

  it('asks the authenticate hook and answers 401 when it refuses or throws', async () => {
    const s = await server({
      authenticate: (request) => {
        const auth = request.headers.get('authorization');
        if (auth === 'Bearer boom') throw new Error('auth service down');
        return auth === 'Bearer good' ? { id: 'good' } : null;
      },
    });
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer bad' }, { authorization: 'Bearer boom' }];
    for (const header of attempts) {
      const response = await post(`${s.url}/api/sync/push`, push([upsert(1, 'a')]), header);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    }
    expect((await post(`${s.url}/api/sync/push`, push([upsert(1, 'a')]), { authorization: 'Bearer good' })).status).toBe(200);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const s = await server();
    expect((await fetch(`${s.url}/nope`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/sync/push`)).status).toBe(405);
  });

  it('sends CORS headers only to allowed origins, and answers preflights', async () => {
    const s = await server({ cors: { origin: ['http://app.test'] } });
    const preflight = await fetch(`${s.url}/api/sync/push`, { method: 'OPTIONS', headers: { origin: 'http://app.test' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.test');
    const other = await post(`${s.url}/api/sync/pull`, { pullVersion: 1, clientGroupID: 'g', cookie: null }, { origin: 'http://evil.test' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('pokes every open event stream after each commit', async () => {
    const s = await server();
    const response = await fetch(`${s.url}/api/sync/poke`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain(': connected');
    await post(`${s.url}/api/sync/push`, push([upsert(1, 'a')]));
    let text = '';
    while (!text.includes('event: poke')) text += (await reader.read()).value ?? '';
    expect(text).toContain('data: {"space":"default","version":1}');
    await reader.cancel();
  });

  it('a stream naming its client group gets the change in the poke, parsed by the client as the pull from the previous version (the writer’s, with whether it may write)', async () => {
    const { parsePoke } = await import('../protocol/poke.js');
    const s = await server();
    const response = await fetch(`${s.url}/api/sync/poke?space=default&clientGroupID=g`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    await post(`${s.url}/api/sync/push`, push([upsert(1, 'a')]));
    let text = '';
    while (!text.includes('event: poke')) text += (await reader.read()).value ?? '';
    await reader.cancel();
    const data = text.split('\n').find((line) => line.startsWith('data: '))!.slice(6);
    expect(parsePoke(data)).toEqual({
      space: 'default',
      version: 1,
      change: { previous: 0, clientGroupID: 'g', patch: [{ op: 'put', key: 'a', value: { id: 'a', type: 'note', data: { n: 1 }, space: 'default' } }], lastMutationIDChanges: { c: 1 }, writable: true },
    });
    // One group per space, at its position: anything else is a 400.
    expect((await fetch(`${s.url}/api/sync/poke?space=a&space=b&clientGroupID=g`)).status).toBe(400);
  });

  it('keeps its data in a PGlite folder across restarts', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'kalphite-server-'));
    try {
      const first = await startSyncServer({ db: dir });
      await post(`${first.url}/api/sync/push`, push([upsert(1, 'a')]));
      await first.close();
      const second = await server({ db: dir });
      expect(await pulled(second)).toMatchObject({ cookie: 1, patch: [{ op: 'clear' }, { op: 'put', key: 'a' }] });
      // The server remembers the client's last mutation id: a resent push applies nothing.
      await post(`${second.url}/api/sync/push`, push([upsert(1, 'a')]));
      expect((await pulled(second)).cookie).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
