import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockSyncServer } from '../../mocks/index.js';
import { createKalphite, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { createDevtoolsUiStore, KalphiteDevtoolsPanel } from './index.js';

/** The panel's body is a lazy chunk: its first import is transformed on demand, slowly on a busy machine. */
const LAZY = { timeout: 15_000 };

const SYNC = 'http://sync.test/api/sync';
const msw = setupServer();
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
afterAll(() => msw.close());
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  cleanup();
  msw.resetHandlers();
  for (const done of cleanups.splice(0).reverse()) await done();
});

/** Bob may read `shared` and write it while `bobWrites`; `mine` is his; `secret` is not. */
async function world() {
  const acl = { bobWrites: true };
  const server = createMockSyncServer({
    baseUrl: SYNC,
    db: await freshPGlite(),
    authenticate: (request) => ({ id: request.headers.get('authorization') ?? 'nobody' }),
    authorize: ({ space, action }) => space === 'mine' || (space === 'shared' && (action === 'read' || acl.bobWrites)),
  });
  await server.ready;
  msw.use(...server.handlers);
  cleanups.push(() => server.close());
  const bob = await createKalphite({
    pglite: await freshPGlite(),
    syncUrl: SYNC,
    syncHeaders: () => ({ authorization: 'bob' }),
    spaces: ['shared', 'mine'],
    defaultSpace: 'shared',
    flushDelayMs: 0,
    pushDelayMs: 0,
    pullIntervalMs: 60_000,
  });
  cleanups.push(() => bob.close());
  return { acl, bob };
}

async function settled(k: Kalphite) {
  await k.flush();
  await expect.poll(() => k.sync!.status.unacknowledged, { timeout: 15_000 }).toBe(0);
}

function panel(k: Kalphite, tab: 'spaces' | 'changes' | 'memory') {
  const ui = createDevtoolsUiStore({ getItem: () => null, setItem: () => {}, removeItem: () => {} });
  ui.getState().set({ tab });
  render(<KalphiteDevtoolsPanel kalphite={k} ui={ui} />);
  return screen.findByRole('region', { name: 'Kalphite devtools' }, LAZY);
}

describe('the devtools and spaces', () => {
  it('a write refused after write access was revoked: the Spaces view shows the space read-only with the refusal, the change log the reason', async () => {
    const { acl, bob } = await world();
    bob.store.entities.set('n1', { id: 'n1', type: 'note', data: { text: 'allowed' } });
    await settled(bob);
    acl.bobWrites = false;
    bob.store.entities.set('n2', { id: 'n2', type: 'note', data: { text: 'refused' } });
    await settled(bob);
    const reason = 'User "bob" may not write to space "shared".';
    await expect.poll(() => bob.spaces.get('shared').writable, { timeout: 15_000 }).toBe(false);

    const devtools = within(await panel(bob, 'spaces'));
    const shared = devtools.getByRole('rowheader', { name: 'shared (default)' }).closest('tr')!;
    const cells = [...shared.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells.slice(0, 3)).toEqual(['open', '1 of 1', 'read-only']);
    expect(cells[6]).toMatch(/^#2: User "bob" may not write to space "shared"\. \(/);
    expect(devtools.getByRole('rowheader', { name: 'mine' }).closest('tr')!.querySelectorAll('td')[2]!.textContent).toBe('yes');

    // Opening a space this user may not read: the server's 403 shows in its row.
    fireEvent.change(devtools.getByLabelText('Open a space'), { target: { value: 'secret' } });
    await act(async () => fireEvent.click(devtools.getByRole('button', { name: 'Open' })));
    const secret = (await devtools.findByRole('rowheader', { name: 'secret' }, { timeout: 15_000 })).closest('tr')!;
    await expect.poll(() => secret.querySelector('td')?.textContent, { timeout: 15_000 }).toMatch(/^not readable/);

    await act(async () => fireEvent.click(devtools.getByRole('tab', { name: 'Change log' })));
    expect(await devtools.findByText('2 of 2 changes · 0 not acknowledged · 1 refused', {}, { timeout: 15_000 })).toBeTruthy();
    expect(devtools.getByText(`refused: ${reason}`)).toBeTruthy();
    await act(async () => fireEvent.click(devtools.getByRole('button', { name: '#2 upsert n2' })));
    expect(devtools.getByRole('region', { name: 'Change #2' }).textContent).toContain(`Refused by the server: ${reason}`);
    fireEvent.change(devtools.getByLabelText('Filter changes'), { target: { value: 'refused' } });
    expect(devtools.getByText('1 of 2 changes · 0 not acknowledged · 1 refused')).toBeTruthy();
  });

  it('Memory groups entities by space, and filters by one', async () => {
    const { bob } = await world();
    bob.store.batch(() => {
      bob.store.entities.set('s1', { id: 's1', type: 'note', data: {} });
      bob.store.entities.set('m1', { id: 'm1', type: 'note', space: 'mine', data: {} });
      bob.store.entities.set('m2', { id: 'm2', type: 'todo', space: 'mine', data: {} });
    });
    const devtools = within(await panel(bob, 'memory'));
    const rows = () => within(devtools.getByRole('list', { name: 'Entities' })).getAllByRole('listitem').map((li) => li.textContent);
    expect(rows()).toEqual(['Space mine · 2 entities', 'm1note', 'm2todo', 'Space shared · 1 entity', 's1note']);
    fireEvent.change(devtools.getByLabelText('Space'), { target: { value: 'mine' } });
    expect(devtools.getByText('2 of 3 shown')).toBeTruthy();
    expect(rows()).toEqual(['m1note', 'm2todo']);
  });
});
