import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPGliteBackend } from '../../server/pglite-backend.js';
import { startSyncServer, type StartSyncServerOptions, type SyncServer } from '../../server/http.js';
import { freshPGlite } from '../../test-support/pglite.js';
import type { Entity } from '../store/entity.js';
import { createKalphite, type Kalphite, type KalphiteOptions } from '../kalphite.js';

const note = (id: string, text: string): Entity => ({ id, type: 'note', data: { text }, space: 'default' });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: StartSyncServerOptions = {}): Promise<SyncServer> {
  const s = await startSyncServer({ db: await createPGliteBackend(await freshPGlite()), ...options });
  cleanups.push(() => s.close());
  return s;
}

const routeOf = (input: RequestInfo | URL): string => new URL(String(input)).pathname.split('/').pop() ?? '';

/** A fetch that counts pulls, and can drop poke events before the engine reads them (a lost poke). */
function observed(): { fetch: typeof fetch; pulls: () => number; dropPokes: (count: number) => void; groupStreams: () => number } {
  let pulls = 0;
  let drop = 0;
  let groupStreams = 0;
  const wrapped: typeof fetch = async (input, init) => {
    const route = routeOf(input);
    if (route === 'pull') pulls++;
    const response = await fetch(input, init);
    if (route !== 'poke' || !response.body) return response;
    if (/clientGroupID=[^&]/.test(String(input))) groupStreams++;
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    let buffer = '';
    const filtered = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end + 2);
            buffer = buffer.slice(end + 2);
            if (block.startsWith('event: poke') && drop > 0) drop--;
            else controller.enqueue(encoder.encode(block));
          }
        },
      }),
    );
    return new Response(filtered, { status: response.status, headers: response.headers });
  };
  return { fetch: wrapped, pulls: () => pulls, dropPokes: (count) => (drop += count), groupStreams: () => groupStreams };
}

async function engine(s: SyncServer, options: KalphiteOptions = {}): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), syncUrl: `${s.url}/api/sync`, pushDelayMs: 0, pullIntervalMs: 600_000, flushDelayMs: 0, syncRetry: { baseMs: 20, maxMs: 200 }, ...options });
  cleanups.push(() => k.close());
  return k;
}

/** B, watched, once its poke stream names its client group (after its first pull). */
async function watchedEngine(s: SyncServer, options: KalphiteOptions = {}): Promise<{ k: Kalphite; watch: ReturnType<typeof observed> }> {
  const watch = observed();
  const k = await engine(s, { fetch: watch.fetch, ...options });
  await vi.waitFor(() => {
    expect(watch.groupStreams()).toBeGreaterThan(0);
    expect(k.sync!.status.poke).toBe('open');
  });
  return { k, watch };
}

function arrival(k: Kalphite, id: string, text: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = k.store.subscribe(() => {
      const data = k.store.getById(id)?.data as { text?: string } | undefined;
      if (data?.text === text) {
        stop();
        resolve();
      }
    });
  });
}

describe('pokes that carry the change, through a real server on loopback', () => {
  it('a client at the previous version lands the change without a pull', async () => {
    const s = await server();
    const a = await engine(s);
    const { k: b, watch } = await watchedEngine(s);
    const pullsBefore = watch.pulls();
    for (let i = 0; i < 3; i++) {
      const arrived = arrival(b, `x${i}`, `hello ${i}`);
      a.store.entities.set(`x${i}`, note(`x${i}`, `hello ${i}`));
      await arrived;
    }
    expect(watch.pulls()).toBe(pullsBefore);
    // Memory has the value before the event is told.
    await vi.waitFor(() => expect(b.events.filter((e) => e.type === 'sync:poke-applied')).toHaveLength(3));
    const applied = b.events.filter((e) => e.type === 'sync:poke-applied');
    expect(applied.map((e) => [e.cookieBefore, e.cookie, e.applied])).toEqual([
      [0, 1, 1],
      [1, 2, 1],
      [2, 3, 1],
    ]);
    expect(b.sync!.status.spaces[0]?.cookie).toBe(3);
    expect(await b.sync!.verify()).toMatchObject({ matches: true, serverEntities: 3 });
  });

  it('a lost poke costs one pull: the next poke does not follow the cookie, so the client pulls, and has everything', async () => {
    const s = await server();
    const a = await engine(s);
    const { k: b, watch } = await watchedEngine(s);
    const pullsBefore = watch.pulls();
    watch.dropPokes(1);
    a.store.entities.set('lost', note('lost', 'its poke is lost'));
    await a.flush();
    await a.sync!.push();
    const arrived = arrival(b, 'next', 'after');
    a.store.entities.set('next', note('next', 'after'));
    await arrived;
    expect(watch.pulls()).toBe(pullsBefore + 1);
    expect(b.store.getById('lost')).toEqual(note('lost', 'its poke is lost'));
    expect(b.events.some((e) => e.type === 'sync:poke-applied')).toBe(false);
  });

  it('the writer’s own poke acknowledges its write: no pull after the push', async () => {
    const s = await server();
    const { k: a, watch } = await watchedEngine(s);
    const pullsBefore = watch.pulls();
    a.store.entities.set('mine', note('mine', 'mine'));
    await vi.waitFor(() => expect(a.sync!.status.spaces[0]).toMatchObject({ acknowledgedMutationId: 1, unacknowledged: 0 }));
    expect(watch.pulls()).toBe(pullsBefore);
    expect(a.events.find((e) => e.type === 'sync:poke-applied')).toMatchObject({ cookieBefore: 0, cookie: 1, acknowledgedUpTo: 1 });
    expect(a.events.filter((e) => e.type === 'sync:push-started')).toHaveLength(1);
  });

  it('a writer whose poke is lost is acknowledged by one pull soon after, and pushes nothing twice', async () => {
    const s = await server();
    const { k: a, watch } = await watchedEngine(s);
    const pullsBefore = watch.pulls();
    watch.dropPokes(1);
    a.store.entities.set('mine', note('mine', 'mine'));
    await vi.waitFor(() => expect(a.sync!.status.spaces[0]).toMatchObject({ acknowledgedMutationId: 1, unacknowledged: 0 }), { timeout: 5000 });
    expect(watch.pulls()).toBe(pullsBefore + 1);
    expect(a.events.filter((e) => e.type === 'sync:push-started')).toHaveLength(1);
  });

  it('a write refused after write access was revoked: the writer’s own poke makes the space read-only, with no pull', async () => {
    const acl = { writes: true };
    const s = await server({ authorize: ({ action }) => action === 'read' || acl.writes });
    const { k: a, watch } = await watchedEngine(s);
    a.store.entities.set('n1', note('n1', 'allowed'));
    await vi.waitFor(() => expect(a.sync!.status.unacknowledged).toBe(0));
    acl.writes = false;
    const pullsBefore = watch.pulls();
    a.store.entities.set('n2', note('n2', 'refused'));
    await vi.waitFor(() => expect(a.spaces.get('default').writable).toBe(false));
    expect(a.sync!.status.spaces[0]).toMatchObject({ unacknowledged: 0, lastRefusal: { mutationId: 2 } });
    expect(a.store.getById('n2')).toBeNull();
    expect(watch.pulls()).toBe(pullsBefore);
  });

  it('a poke racing a local write of the same entity keeps the local value until its push lands, then both agree', async () => {
    const s = await server();
    const a = await engine(s);
    // B writes but does not push yet: its write is unacknowledged when A's change arrives by poke.
    const { k: b } = await watchedEngine(s, { pushDelayMs: 600_000 });
    b.store.entities.set('x', note('x', 'from b'));
    await b.flush();
    const poked = new Promise<void>((resolve) => b.subscribe((e) => e.type === 'sync:poke-applied' && resolve()));
    a.store.entities.set('x', note('x', 'from a'));
    await poked;
    expect(b.store.getById('x')).toEqual(note('x', 'from b'));
    const arrived = arrival(a, 'x', 'from b');
    await b.sync!.push();
    await arrived;
    await vi.waitFor(() => expect(b.sync!.status.unacknowledged).toBe(0));
    expect(b.store.getById('x')).toEqual(note('x', 'from b'));
  });

  it('the loser of a same-field edit gets its ledger note through the winner’s poke, with no pull', async () => {
    const s = await server();
    const { k: a, watch } = await watchedEngine(s);
    // Grace edits the text she last saw, and pushes only when the test says.
    const b = await engine(s, { pushDelayMs: 600_000 });
    const created = arrival(b, 'x', 'start');
    a.store.entities.set('x', note('x', 'start'));
    await created;
    b.store.entities.set('x', note('x', 'from grace'));
    await b.flush();
    // Ada's edit is pushed and confirmed first: her cookie is its version.
    a.store.entities.set('x', note('x', 'from ada'));
    await vi.waitFor(() => {
      expect(a.sync!.status.unacknowledged).toBe(0);
      expect(a.sync!.status.spaces[0]?.cookie).toBe(2);
    });
    const pullsBefore = watch.pulls();
    await b.sync!.push();
    await vi.waitFor(() => expect(a.overwritten()).toHaveLength(1));
    expect(a.overwritten()[0]).toMatchObject({ id: 'x', reason: 'overwritten', fields: ['text'], mine: note('x', 'from ada'), server: note('x', 'from grace') });
    expect(a.store.getById('x')).toEqual(note('x', 'from grace'));
    expect(watch.pulls()).toBe(pullsBefore);
    expect(a.events.filter((e) => e.type === 'sync:poke-applied').at(-1)).toMatchObject({ cookieBefore: 2, cookie: 3 });
    expect(b.overwritten()).toEqual([]);
  });

  it('a server with pokeDataLimit 0 pokes versions alone: the client pulls as before', async () => {
    const s = await server({ pokeDataLimit: 0 });
    const a = await engine(s);
    const { k: b, watch } = await watchedEngine(s);
    const pullsBefore = watch.pulls();
    const arrived = arrival(b, 'x', 'hi');
    a.store.entities.set('x', note('x', 'hi'));
    await arrived;
    expect(watch.pulls()).toBe(pullsBefore + 1);
  });
});
