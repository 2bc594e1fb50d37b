import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKalphite, type Kalphite } from '../../engine/index.js';
import { freshPGlite } from '../../test-support/pglite.js';
import { createSyncCore } from '../core.js';
import { createSyncHandler, type SyncHandler } from '../handler.js';
import { createPGliteBackend } from '../pglite-backend.js';
import type { ServerProblem } from '../problems.js';
import { createNodeListener } from './node-listener.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function syncHandler(): Promise<SyncHandler> {
  const core = await createSyncCore({ backend: await createPGliteBackend(await freshPGlite()) });
  const handler = createSyncHandler({ core });
  cleanups.push(async () => {
    handler.closeStreams();
    await core.close();
  });
  return handler;
}

async function engine(syncUrl: string): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), syncUrl, pushDelayMs: 0, flushDelayMs: 0, pullIntervalMs: 600_000 });
  cleanups.push(() => k.close());
  return k;
}

describe('createNodeListener', () => {
  it('serves the sync handler from a node:http server of your own: push, pull and the poke stream', async () => {
    const url = await listen(createNodeListener(await syncHandler()));
    const [a, b] = [await engine(`${url}/api/sync`), await engine(`${url}/api/sync`)];
    await expect.poll(() => b.sync!.status.poke).toBe('open');
    a.store.entities.set('x', { id: 'x', type: 'note', data: { text: 'hello' } });
    // b pulls only on a poke: the stream stayed open through the adapter.
    await expect.poll(() => b.store.getById('x')?.data).toEqual({ text: 'hello' });
  });

  it('answers 500 and says why when a body parser read the body before it', async () => {
    const problems: ServerProblem[] = [];
    const listener = createNodeListener(await syncHandler(), { onError: (problem) => problems.push(problem) });
    const url = await listen((req, res) => {
      // What express.json() does on a route it runs before: the stream is read to its end.
      req.resume();
      req.once('end', () => void listener(req, res));
    });
    const answer = await fetch(`${url}/api/sync/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(500);
    expect(problems).toEqual([expect.objectContaining({ code: 'request-failed', message: expect.stringContaining('mount the sync route before any body parser') })]);
  });

  it('reports a handler that throws and answers 500, never leaving the request hanging', async () => {
    const problems: ServerProblem[] = [];
    const url = await listen(createNodeListener(() => Promise.reject(new Error('boom')), { onError: (problem) => problems.push(problem) }));
    const answer = await fetch(`${url}/api/sync/pull`);
    expect(answer.status).toBe(500);
    expect(await answer.json()).toMatchObject({ error: 'internal' });
    expect(problems.map((p) => p.message)).toEqual(['The HTTP adapter failed: boom']);
  });
});
