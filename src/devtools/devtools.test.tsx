import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKalphite, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { KalphiteDevtools, UI_STORAGE_KEY } from './index.js';
import { KalphiteDevtools as ProductionDevtools } from './production.js';
import { VirtualList } from './virtual-list.js';

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
    expect(await screen.findByRole('region', { name: 'Kalphite devtools' })).toBeTruthy();
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
    expect(await screen.findByRole('region', { name: 'Kalphite devtools' })).toBeTruthy();
    expect((screen.getByLabelText('Dock') as HTMLSelectElement).value).toBe('top');
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
