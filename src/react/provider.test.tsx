import { act, cleanup, render } from '@testing-library/react';
import { StrictMode, type ReactNode } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKalphite, type Kalphite, type KalphiteSnapshot } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { useEntities, useKalphiteInstance } from './hooks.js';
import { KalphiteProvider } from './provider.js';

const snapshot: KalphiteSnapshot = {
  snapshotVersion: 1,
  spaces: [{ space: 'default', version: 4, entities: [{ id: 'n1', type: 'note', data: { text: 'from the server' }, space: 'default' }] }],
};

let seen: Kalphite | null = null;
function Notes() {
  seen = useKalphiteInstance();
  const notes = useEntities('note');
  return (
    <ul>
      {notes.map((n) => (
        <li key={n.id}>{(n.data as { text: string }).text}</li>
      ))}
    </ul>
  );
}

const roots: Root[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) act(() => root.unmount());
  cleanup();
  await vi.waitFor(() => expect(seen?.closed ?? true).toBe(true));
  seen = null;
});

function hydrate(html: string, app: ReactNode): HTMLElement {
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  act(() => {
    roots.push(hydrateRoot(container, app));
  });
  return container;
}

describe('<KalphiteProvider options initialSnapshot> (server rendering)', () => {
  it('renders the snapshot on the server without opening anything', () => {
    const onPageHide = vi.fn(() => () => {});
    const html = renderToString(
      <KalphiteProvider options={{ dataDir: 'idb://never', environment: { onPageHide } }} initialSnapshot={snapshot}>
        <Notes />
      </KalphiteProvider>,
    );
    expect(html).toContain('<li>from the server</li>');
    expect(onPageHide).not.toHaveBeenCalled();
    expect(seen?.events.some((e) => e.type === 'db:opened')).toBe(false);
    // Nothing to close: it holds memory only, and a server drops it with the render.
    seen = null;
  });

  it('hydrates without a mismatch, keeps a write made before the local db opened, and closes on unmount', async () => {
    const pglite = await freshPGlite();
    const app = (
      <StrictMode>
        <KalphiteProvider options={{ pglite, flushDelayMs: 0 }} initialSnapshot={snapshot}>
          <Notes />
        </KalphiteProvider>
      </StrictMode>
    );
    const html = renderToString(app);
    const errors = vi.spyOn(console, 'error');
    const container = hydrate(html, app);
    expect(container.textContent).toBe('from the server');
    expect(errors).not.toHaveBeenCalled();

    const engine = seen!;
    expect(engine.events.some((e) => e.type === 'db:opened')).toBe(false);
    act(() => engine.store.entities.set('n2', { id: 'n2', type: 'note', data: { text: 'written early' } }));
    await act(() => engine.ready);
    // StrictMode unmounted and mounted the effect again: the same engine stays open.
    expect(engine.closed).toBe(false);
    expect(container.textContent).toBe('from the serverwritten early');
    await act(() => engine.flush());

    act(() => roots.splice(0).forEach((root) => root.unmount()));
    await vi.waitFor(() => expect(engine.closed).toBe(true));
    const again = await createKalphite({ pglite });
    expect(again.store.getById('n2')?.data).toEqual({ text: 'written early' });
    await again.close();
    errors.mockRestore();
  });

  it('keeps <KalphiteProvider kalphite={…}> as it was: the app’s engine, not closed by the provider', async () => {
    const k = await createKalphite({ pglite: await freshPGlite() });
    k.store.entities.set('n1', { id: 'n1', type: 'note', data: { text: 'given' } });
    const { container, unmount } = render(<KalphiteProvider kalphite={k}><Notes /></KalphiteProvider>);
    expect(container.textContent).toBe('given');
    unmount();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(k.closed).toBe(false);
    await k.close();
  });
});
