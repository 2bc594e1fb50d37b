import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, type SyncBackend } from './backend.js';
import { createSyncCore, type SyncCore } from './core.js';
import { createSyncHandler, type SyncHandler, type SyncHandlerOptions } from './handler.js';
import { createPGliteBackend } from './pglite-backend.js';
import type { Authorize } from './permissions.js';
import type { ServerProblem } from './problems.js';

// One database for the file: a fresh PGlite per test costs seconds on a loaded machine. Every test
// reads (or fails) without writing, so they cannot see each other (a pull binds its client group to
// its user: a test that signs users in uses groups of its own).
let shared: Promise<SyncBackend> | undefined;
afterAll(async () => {
  await (await shared)?.close();
});

/** The handler over a real core, its reports collected; `wrap` can break the backend. */
async function handler(options: Omit<SyncHandlerOptions, 'core'> & { authorize?: Authorize } = {}, wrap: (backend: SyncBackend) => SyncBackend = (b) => b) {
  // Not freshPGlite(): its databases are closed after each test.
  shared ??= createPGliteBackend('memory://');
  const problems: ServerProblem[] = [];
  const { authorize, ...handlerOptions } = options;
  const core: SyncCore = await createSyncCore({ backend: wrap(await shared), onError: (p) => problems.push(p), ...(authorize && { authorize }) });
  const handle: SyncHandler = createSyncHandler({ onError: (p) => problems.push(p), ...handlerOptions, core });
  return { handle, problems };
}

const BASE = 'http://127.0.0.1:4848/api/sync';
const pullBody = JSON.stringify({ pullVersion: 1, clientGroupID: 'g', profileID: 'p', schemaVersion: '1', cookie: null });
const pull = (headers: Record<string, string> = {}) =>
  new Request(`${BASE}/pull`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: pullBody });

async function error(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: string; message: string }) };
}

describe('the handler is not a door into the database', () => {
  it('refuses a POST that is not application/json with 415 (a cross-site form or text/plain fetch)', async () => {
    const { handle } = await handler();
    for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect(await error(await handle(pull({ 'content-type': type })))).toMatchObject({ status: 415, error: 'unsupported-media-type' });
    }
    expect(await error(await handle(new Request(`${BASE}/push`, { method: 'POST', body: pullBody })))).toMatchObject({ status: 415 });
    expect((await handle(pull({ 'content-type': 'Application/JSON; charset=utf-8' }))).status).toBe(200);
  });

  it('refuses an Origin the cors option does not allow with 403; same-origin and Origin-less requests pass', async () => {
    const { handle } = await handler({ cors: { origin: ['http://app.test'] } });
    expect(await error(await handle(pull({ origin: 'http://evil.test' })))).toMatchObject({ status: 403, error: 'forbidden' });
    expect(await error(await handle(pull({ origin: 'null' })))).toMatchObject({ status: 403 });
    const preflight = await handle(new Request(`${BASE}/push`, { method: 'OPTIONS', headers: { origin: 'http://evil.test' } }));
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await handle(pull({ origin: 'http://app.test' }));
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect((await handle(pull({ origin: 'http://127.0.0.1:4848' }))).status).toBe(200);
    expect((await handle(pull())).status).toBe(200);
  });

  it('with no cors option only same-origin browsers get in; a test function and * widen it', async () => {
    const { handle } = await handler();
    expect((await handle(pull({ origin: 'http://localhost:3000' }))).status).toBe(403);
    const local = await handler({ cors: { origin: (origin) => origin.startsWith('http://localhost:') } });
    expect((await local.handle(pull({ origin: 'http://localhost:3000' }))).status).toBe(200);
    expect((await local.handle(pull({ origin: 'http://localhost.evil.test' }))).status).toBe(403);
    const any = await handler({ cors: { origin: '*' } });
    expect((await any.handle(pull({ origin: 'http://anything.test' }))).headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers only to the allowed hosts when given (DNS rebinding)', async () => {
    const { handle } = await handler({ allowedHosts: ['127.0.0.1:4848', 'localhost:4848'] });
    expect((await handle(pull())).status).toBe(200);
    // A page at http://rebind.evil.test:4848 that resolves to 127.0.0.1: same-origin, wrong Host.
    const rebound = new Request('http://rebind.evil.test:4848/api/sync/pull', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://rebind.evil.test:4848' },
      body: pullBody,
    });
    expect(await error(await handle(rebound))).toMatchObject({ status: 403, error: 'forbidden' });
    expect((await handle(new Request('http://LOCALHOST:4848/api/sync/poke'))).status).not.toBe(403);
    // Browsers leave the default port out of Host.
    const onPort80 = await handler({ allowedHosts: ['localhost:80'] });
    expect((await onPort80.handle(new Request('http://localhost/api/sync/poke', { method: 'POST' }))).status).toBe(405);
  });

  it('a throwing authenticate hook is a 401 and a report, a refusing one only a 401', async () => {
    const { handle, problems } = await handler({
      authenticate: (request) => {
        if (request.headers.get('authorization') === 'boom') throw new Error('auth service down');
        return false;
      },
    });
    expect((await handle(pull())).status).toBe(401);
    expect(problems).toEqual([]);
    expect((await handle(pull({ authorization: 'boom' }))).status).toBe(401);
    expect(problems).toMatchObject([{ code: 'authenticate-threw', message: expect.stringContaining('auth service down') }]);
  });
});

describe('spaces and users: bad input is a clear 4xx that changes nothing', () => {
  const post = (route: 'push' | 'pull', query: string, body: object, headers: Record<string, string> = {}) =>
    new Request(`${BASE}/${route}${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const pushBody = (clientGroupID: string, extra: object = {}) => ({
    pushVersion: 1,
    clientGroupID,
    profileID: 'p',
    schemaVersion: '1',
    mutations: [{ clientID: `${clientGroupID}-client`, id: 1, name: 'upsert', args: { id: `${clientGroupID}-entity`, type: 'note', data: {} }, timestamp: 1 }],
    ...extra,
  });
  const pullBodyOf = (clientGroupID: string, extra: object = {}) => ({ pullVersion: 1, clientGroupID, profileID: 'p', schemaVersion: '1', cookie: null, ...extra });
  /** Nothing of the group's push reached the space: no entity, no mutation id. */
  const unchanged = async (handle: SyncHandler, clientGroupID: string, space = 'default') => {
    const pulled = (await (await handle(post('pull', `?space=${space}`, pullBodyOf(clientGroupID)))).json()) as { patch: { key?: string }[]; lastMutationIDChanges: object };
    expect(pulled.patch.map((op) => op.key)).not.toContain(`${clientGroupID}-entity`);
    expect(pulled.lastMutationIDChanges).toEqual({});
  };

  it('a malformed space id, two spaces on a push or pull, or a body naming another space than ?space= is a 400', async () => {
    const { handle } = await handler();
    const bad: Array<[string, string, object]> = [
      ['push', '?space=a%20b', pushBody('bad-space-1')],
      ['push', '?space=', pushBody('bad-space-2')],
      ['push', `?space=${'s'.repeat(201)}`, pushBody('bad-space-3')],
      ['push', '?space=a&space=b', pushBody('bad-space-4')],
      ['push', '?space=a&space=a', pushBody('bad-space-5')],
      ['push', '?space=a', pushBody('bad-space-6', { space: 'b' })],
      ['push', '', pushBody('bad-space-7', { space: 'b' })],
      ['push', '?space=a', pushBody('bad-space-8', { space: 'a b' })],
      ['pull', '?space=%00', pullBodyOf('bad-space-9')],
      ['pull', '?space=a&space=b', pullBodyOf('bad-space-10')],
      ['pull', '?space=a', pullBodyOf('bad-space-11', { space: 'b' })],
    ];
    for (const [route, query, body] of bad) {
      expect(await error(await handle(post(route as 'push' | 'pull', query, body))), `${route}${query} ${JSON.stringify(body)}`).toMatchObject({ status: 400, error: 'invalid-request' });
    }
    expect(await error(await handle(new Request(`${BASE}/poke?space=a&space=not%20one`)))).toMatchObject({ status: 400, error: 'invalid-request' });
    for (const space of ['default', 'a', 'b']) for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) await unchanged(handle, `bad-space-${n}`, space);
    // The same space in the body as in the query is fine.
    expect((await handle(post('pull', '?space=a', pullBodyOf('good-space', { space: 'a' })))).status).toBe(200);
  });

  it('an authenticate hook that answers true or a user without an id is a 401, reported', async () => {
    const answers: unknown[] = [true, { name: 'no id' }, { id: '' }, { id: 42 }, { id: 'x'.repeat(501) }, 'alice', [{ id: 'alice' }]];
    let answer: unknown;
    const { handle, problems } = await handler({ authenticate: () => answer as never });
    for (const [index, value] of answers.entries()) {
      answer = value;
      const response = await error(await handle(post('push', '', pushBody(`no-user-${index}`))));
      expect(response, JSON.stringify(value)).toMatchObject({ status: 401, error: 'unauthorized' });
      expect(problems.at(-1), JSON.stringify(value)).toMatchObject({ code: 'authenticate-invalid' });
    }
    expect(problems).toHaveLength(answers.length);
    answer = { id: 'someone' };
    for (const index of answers.keys()) await unchanged(handle, `no-user-${index}`);
  });

  it('an authorize hook that throws, or answers no boolean, is a 403 on push, pull and poke, reported', async () => {
    let fault: () => unknown = () => {
      throw new Error('acl service down');
    };
    const { handle, problems } = await handler({ authorize: () => fault() as boolean });
    expect(await error(await handle(post('push', '?space=acl', pushBody('acl-1'))))).toMatchObject({ status: 403, error: 'forbidden' });
    expect(await error(await handle(post('pull', '?space=acl', pullBodyOf('acl-2'))))).toMatchObject({ status: 403, error: 'forbidden' });
    expect(await error(await handle(new Request(`${BASE}/poke?space=acl`)))).toMatchObject({ status: 403, error: 'forbidden' });
    expect(problems.map((p) => p.code)).toEqual(['authorize-threw', 'authorize-threw', 'authorize-threw', 'authorize-threw']);
    expect(problems[0]!.message).toContain('acl service down');
    fault = () => 'yes';
    expect(await error(await handle(post('push', '?space=acl', pushBody('acl-3'))))).toMatchObject({ status: 403, error: 'forbidden' });
    expect(problems.at(-1)).toMatchObject({ code: 'authorize-invalid' });
    fault = () => true;
    for (const group of ['acl-1', 'acl-3']) await unchanged(handle, group, 'acl');
  });
});

describe('the handler reports server faults to the hook', () => {
  const unavailable = (backend: SyncBackend): SyncBackend => {
    let broken = false;
    return {
      ...backend,
      // The schema is created first; every later transaction finds the database gone.
      transaction: (mode, fn) => {
        if (broken) return Promise.reject(new BackendUnavailableError('PostgreSQL is unavailable (connecting): ECONNREFUSED'));
        broken = true;
        return backend.transaction(mode, fn);
      },
      onPublish: () => Promise.reject(new BackendUnavailableError('PostgreSQL is unavailable (opening the LISTEN connection): ECONNREFUSED')),
    };
  };

  it('a database that cannot be reached is a 503 unavailable (retryable), reported', async () => {
    const { handle, problems } = await handler({}, unavailable);
    const response = await handle(pull());
    expect(await error(response)).toMatchObject({ status: 503, error: 'unavailable' });
    expect(response.headers.get('retry-after')).toBe('1');
    expect(problems).toMatchObject([{ code: 'database-unavailable' }]);
  });

  it('a poke stream whose channel cannot be opened is a 503, not a dead stream', async () => {
    const { handle, problems } = await handler({}, unavailable);
    expect(await error(await handle(new Request(`${BASE}/poke`)))).toMatchObject({ status: 503, error: 'unavailable' });
    expect(problems).toMatchObject([{ code: 'database-unavailable' }]);
  });

  it('an unexpected failure is a 500 and a request-failed report, not console output', async () => {
    const { handle, problems } = await handler({}, (backend) => ({
      ...backend,
      transaction: (mode, fn) => (mode === 'read' ? Promise.reject(new Error('disk on fire')) : backend.transaction(mode, fn)),
    }));
    expect((await handle(pull())).status).toBe(500);
    expect(problems).toMatchObject([{ code: 'request-failed', message: expect.stringContaining('disk on fire') }]);
  });

  it('a request the client aborted is not reported', async () => {
    const abort = new AbortController();
    const { handle, problems } = await handler({}, (backend) => ({
      ...backend,
      transaction: (mode, fn) => {
        if (mode === 'write') return backend.transaction(mode, fn);
        abort.abort();
        return Promise.reject(new Error('aborted'));
      },
    }));
    await handle(new Request(`${BASE}/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: pullBody, signal: abort.signal }));
    expect(problems).toEqual([]);
  });

  it('a gap in the backend’s channel reaches every open poke stream as a poke', async () => {
    let gap: (() => void) | undefined;
    const { handle } = await handler({}, (backend) => ({
      ...backend,
      onPublish: (listener, onGap) => {
        gap = onGap;
        return backend.onPublish(listener, onGap);
      },
    }));
    const response = await handle(new Request(`${BASE}/poke`));
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain(': connected');
    gap!();
    expect((await reader.read()).value).toBe('event: poke\ndata: gap\n\n');
    await reader.cancel();
  });
});
