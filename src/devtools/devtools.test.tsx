import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKalphite, type Kalphite, type KalphiteEvent, type KalphiteInspection, type SyncStatus } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { KalphiteDevtools, UI_STORAGE_KEY } from './index.js';
import { BlockedPush } from './panel/blocked-push.js';
import { KalphiteDevtools as ProductionDevtools } from './production.js';
import type { EngineView } from './use-inspection.js';
import { VirtualList } from './virtual-list.js';

/** The panel's body is a lazy chunk: its first import is transformed on demand, slowly on a busy machine. */
const LAZY = { timeout: 15_000 };

const engines: Kalphite[] = [];
afterEach(async () => {
  cleanup();
  vi.unstubAllEnvs();
  localStorage.clear();
  await Promise.all(engines.splice(0).map((k) => k.close()));
});

async function engine() {
  const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000 });
  engines.push(k);
  return k;
}

describe('embedding', () => {
  it('the default entry renders nothing in production; the production entry renders on purpose', async () => {
    const k = await engine();
    vi.stubEnv('NODE_ENV', 'production');
    const { container } = render(<KalphiteDevtools kalphite={k} />);
    expect(container.innerHTML).toBe('');
    render(<ProductionDevtools kalphite={k} />);
    expect(screen.getByRole('button', { name: 'Kalphite devtools' })).toBeTruthy();
  });

  it('opens a lazily loaded panel and remembers open, dock and size under one key', async () => {
    const k = await engine();
    render(<KalphiteDevtools kalphite={k} initialDock="top" />);
    fireEvent.click(screen.getByRole('button', { name: 'Kalphite devtools' }));
    expect(await screen.findByRole('region', { name: 'Kalphite devtools' }, LAZY)).toBeTruthy();
    const handle = screen.getByRole('separator', { name: 'Resize Kalphite devtools' });
    // Docked top: the handle is the bottom edge, so ArrowDown grows the panel; Home is the minimum.
    fireEvent.keyDown(handle, { key: 'ArrowDown' });
    expect(handle.getAttribute('aria-valuenow')).toBe('336');
    fireEvent.keyDown(handle, { key: 'Home' });
    expect(handle.getAttribute('aria-valuenow')).toBe('160');
    expect(JSON.parse(localStorage.getItem(UI_STORAGE_KEY)!).state).toMatchObject({ open: true, dock: 'top', size: 160 });
    cleanup();
    // A later page load starts where the user left it, whatever initialDock says.
    render(<KalphiteDevtools kalphite={k} initialDock="left" />);
    expect(await screen.findByRole('region', { name: 'Kalphite devtools' }, LAZY)).toBeTruthy();
    expect((screen.getByLabelText('Dock') as HTMLSelectElement).value).toBe('top');
  });
});

describe('the panel and spaces', () => {
  it('says how many of the known spaces are open, and follows one opened and closed', async () => {
    const k = await engine();
    render(<KalphiteDevtools kalphite={k} />);
    fireEvent.click(screen.getByRole('button', { name: 'Kalphite devtools' }));
    const panel = await screen.findByRole('region', { name: 'Kalphite devtools' }, LAZY);
    expect(await within(panel).findByText('1 of 1 space open')).toBeTruthy();
    await act(() => k.spaces.open('review:1'));
    expect(await within(panel).findByText('2 of 2 spaces open')).toBeTruthy();
    await act(() => k.spaces.close('review:1'));
    // Closed, its local copy stays known.
    expect(await within(panel).findByText('1 of 2 spaces open')).toBeTruthy();
  });
});

describe('VirtualList', () => {
  const items = Array.from({ length: 10_000 }, (_, i) => `item-${i}`);
  const list = () => (
    <VirtualList items={items} label="Items" rowHeight={20} height={200} getKey={(s) => s} renderRow={(s) => <span>{s}</span>} empty={<p>none</p>} />
  );

  it('renders only the rows in view and a few more, each with its position among all', () => {
    render(list());
    const rows = within(screen.getByRole('list', { name: 'Items' })).getAllByRole('listitem');
    expect(rows.length).toBeLessThanOrEqual(200 / 20 + 6);
    expect(rows[0]!.getAttribute('aria-setsize')).toBe('10000');
    expect(rows[0]!.getAttribute('aria-posinset')).toBe('1');
  });

  it('scrolling shows the rows at the new position', () => {
    render(list());
    const viewport = screen.getByRole('group', { name: 'Items (scrollable)' });
    act(() => {
      viewport.scrollTop = 20 * 5_000;
      fireEvent.scroll(viewport);
    });
    expect(screen.getByText('item-5000')).toBeTruthy();
    expect(screen.queryByText('item-0')).toBeNull();
  });

  it('shows the empty state when there are no items', () => {
    render(<VirtualList items={[]} label="Items" rowHeight={20} height={200} getKey={(s: string) => s} renderRow={(s) => s} empty={<p>none</p>} />);
    expect(screen.getByText('none')).toBeTruthy();
  });
});

describe('the blocked-push notice', () => {
  const refused = (at: number, mutations = 2): NonNullable<SyncStatus['blocked']> => ({
    code: 'server-error',
    message: 'The sync server answered 413 to push: The request body is larger than 4096 bytes.',
    at,
    space: 'default',
    status: 413,
    mutations,
  });
  // Only what the notice reads of the engine's view: its clock, the sync status's `blocked`, and events.
  const view = (blocked: SyncStatus['blocked'], events: readonly KalphiteEvent[] = []): EngineView =>
    ({
      inspection: { at: Date.now(), sync: { blocked } } as unknown as KalphiteInspection,
      events,
      serverVersions: new Map(),
      lostSpaces: new Set(),
      rates: [],
    }) as EngineView;
  const fakeSync = (dropBlocked: () => Promise<number> = async () => 2) => ({ retry: vi.fn(), dropBlocked: vi.fn(dropBlocked) });
  const notice = () => screen.getByRole('region', { name: 'Pushing stopped' });

  it('is absent while nothing is blocked; says what happened and what waits when a push is refused', () => {
    const sync = fakeSync();
    const { rerender } = render(<BlockedPush sync={sync} view={view(null)} />);
    expect(screen.queryByRole('region', { name: 'Pushing stopped' })).toBeNull();
    rerender(<BlockedPush sync={sync} view={view(refused(Date.now()))} />);
    expect(within(notice()).getByRole('alert').textContent).toBe(
      'Pushing stopped: the server refused a change too large for it (HTTP 413). 2 changes wait in the outbox; retrying by itself cannot help.',
    );
    expect(notice().textContent).toContain('The request body is larger than 4096 bytes.');
    rerender(<BlockedPush sync={sync} view={view({ ...refused(Date.now(), 1), status: 403 })} />);
    expect(within(notice()).getByRole('alert').textContent).toContain('(HTTP 403). 1 change waits in the outbox');
  });

  it('Re-send keeps the notice (and focus) while the push is in flight, until the server answers', () => {
    const sync = fakeSync();
    const first = refused(Date.now() - 1000);
    const { rerender } = render(<BlockedPush sync={sync} view={view(first)} />);
    const resend = screen.getByRole('button', { name: 'Re-send' });
    resend.focus();
    fireEvent.click(resend);
    expect(sync.retry).toHaveBeenCalledTimes(1);
    // The engine clears `blocked` at once; the notice stays, saying it is sending.
    rerender(<BlockedPush sync={sync} view={view(null)} />);
    expect(within(notice()).getByRole('status').textContent).toBe('Sending again…');
    expect(resend.getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(resend);
    expect(sync.retry).toHaveBeenCalledTimes(1);
    // Refused again: the same notice, the same focused button, no longer sending.
    rerender(<BlockedPush sync={sync} view={view(refused(Date.now() + 1))} />);
    expect(within(notice()).queryByRole('status')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Re-send' }));
    fireEvent.click(screen.getByRole('button', { name: 'Re-send' }));
    rerender(<BlockedPush sync={sync} view={view(null)} />);
    expect(notice()).toBeTruthy();
    // Went through this time: the notice goes.
    const succeeded: KalphiteEvent = { type: 'sync:push-succeeded', at: Date.now() + 2, space: 'default', requestId: 3, mutations: 2, bytes: 900, durationMs: 4, lastMutationId: 2 };
    rerender(<BlockedPush sync={sync} view={view(null, [succeeded])} />);
    expect(screen.queryByRole('region', { name: 'Pushing stopped' })).toBeNull();
  });

  it('Drop asks first (Cancel returns focus), then drops; a failed drop is an alert and the rows stay', async () => {
    const sync = fakeSync(async () => {
      throw new Error('the local db is closed');
    });
    render(<BlockedPush sync={sync} view={view(refused(Date.now()))} />);
    const drop = screen.getByRole('button', { name: 'Drop 2 changes…' });
    fireEvent.click(drop);
    const dialog = screen.getByRole('alertdialog', { name: 'Drop the refused changes' });
    expect(dialog.textContent).toContain('Give up 2 changes the server refused?');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(drop);
    expect(sync.dropBlocked).not.toHaveBeenCalled();
    fireEvent.click(drop);
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Drop' }));
    expect(sync.dropBlocked).toHaveBeenCalledTimes(1);
    const failed = await within(notice()).findByText('Could not drop the changes: the local db is closed');
    expect(failed.getAttribute('role')).toBe('alert');
    expect(drop.getAttribute('aria-disabled')).toBe('false');
  });
});
