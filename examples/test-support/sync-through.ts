import { expect } from 'vitest';
import { createKalphite, type Kalphite } from 'kalphite';
import { freshPGlite } from '../../src/test-support/pglite.js';

/**
 * What every framework example must do, asked over real HTTP of the framework's server at `origin`:
 * refuse a caller without a session (401); sign in two users through the example's own `/login`
 * (the framework's session cookie); sync two engines through `/api/sync` — a push, a poke that makes
 * the other engine pull (their polling is ten minutes off), both ways — and keep `private:ada` from
 * Bob (403): the user the sync handler sees is the one the framework's session holds.
 */
/** A dev server compiles each route on its first request, and PGlite starts slowly on a busy machine. */
const slow = { timeout: 60_000, interval: 50 };

export async function expectTwoEnginesSyncThrough(origin: string): Promise<void> {
  const anonymous = await fetch(`${origin}/api/sync/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pullVersion: 1, clientGroupID: 'nobody', profileID: '', schemaVersion: '', cookie: null }),
  });
  expect(anonymous.status).toBe(401);

  const ada = await engine(origin, await signIn(origin, 'ada'));
  const bob = await engine(origin, await signIn(origin, 'bob'));
  try {
    await expect.poll(() => [ada.sync?.status.poke, bob.sync?.status.poke], slow).toEqual(['open', 'open']);
    ada.store.entities.set('from-ada', { id: 'from-ada', type: 'note', data: { text: 'hello Bob' } });
    await expect.poll(() => bob.store.getById('from-ada')?.data, slow).toEqual({ text: 'hello Bob' });
    bob.store.entities.set('from-bob', { id: 'from-bob', type: 'note', data: { text: 'hello Ada' } });
    await expect.poll(() => ada.store.getById('from-bob')?.data, slow).toEqual({ text: 'hello Ada' });

    await ada.spaces.open('private:ada');
    ada.store.entities.set('diary', { id: 'diary', type: 'note', space: 'private:ada', data: { text: 'mine' } });
    await ada.flush();
    await ada.sync?.push();
    await expect(bob.spaces.open('private:ada')).rejects.toMatchObject({ code: 'forbidden' });
    expect(bob.store.getById('diary')).toBeNull();
  } finally {
    await Promise.all([ada.close(), bob.close()]);
  }
}

/** The example's sign-in: its session cookie, as a browser would send it back. */
export async function signIn(origin: string, user: string): Promise<string> {
  const answer = await fetch(`${origin}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user }) });
  expect(answer.status).toBe(200);
  // The last value of each cookie wins, as in a browser (TanStack Start's session sets it twice).
  const cookies = new Map(answer.headers.getSetCookie().map((header) => (header.split(';')[0] ?? '').split(/=(.*)/s, 2) as [string, string]));
  expect([...cookies.keys()]).toEqual(['session']);
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** An engine in Node, signed in with `cookie`, syncing through the example's routes. */
export async function engine(origin: string, cookie: string): Promise<Kalphite> {
  return createKalphite({
    pglite: await freshPGlite(),
    syncUrl: `${origin}/api/sync`,
    syncHeaders: () => ({ cookie }),
    pushDelayMs: 0,
    flushDelayMs: 0,
    pullIntervalMs: 600_000,
  });
}
