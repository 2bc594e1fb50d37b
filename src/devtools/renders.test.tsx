import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { memo } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createKalphite, type Entity, type Kalphite } from '../engine/index.js';
import { KalphiteProvider, useEntity, useKalphiteStore } from '../react/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { createDevtoolsUiStore, KalphiteDevtoolsPanel } from './index.js';

/** The panel's body is a lazy chunk: its first import is transformed on demand, slowly on a busy machine. */
const LAZY = { timeout: 15_000 };

const engines: Kalphite[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(engines.splice(0).map((k) => k.close()));
});

const note = (id: string, text: string): Entity => ({ id, type: 'note', data: { text }, space: 'default' });

const Note = memo(function Note({ id }: { id: string }) {
  return <li>{(useEntity(id)?.data as { text: string } | undefined)?.text}</li>;
});

function NoteCount() {
  return <p>{useKalphiteStore().getByType('note').length} notes</p>;
}

describe('the Renders view', () => {
  it('shows per write which components re-rendered, and marks the one that renders on every change', async () => {
    const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000 });
    engines.push(k);
    k.store.batch(() => ['n1', 'n2', 'n3'].forEach((id) => k.store.entities.set(id, note(id, id))));
    const ui = createDevtoolsUiStore(undefined);
    ui.getState().set({ tab: 'renders' });
    render(
      <KalphiteProvider kalphite={k}>
        <ul>
          <Note id="n1" />
          <Note id="n2" />
          <Note id="n3" />
        </ul>
        <NoteCount />
        <KalphiteDevtoolsPanel kalphite={k} ui={ui} />
      </KalphiteProvider>,
    );
    const panel = await screen.findByRole('region', { name: 'Kalphite devtools' }, LAZY);
    expect(await within(panel).findByText(/No component has re-rendered for a write yet/, {}, LAZY)).toBeTruthy();
    await act(async () => k.store.batch(() => k.store.entities.set('n2', note('n2', 'edited')), { tag: 'Edit note' }));
    const write = await within(panel).findByRole('region', { name: `Write ${k.store.version}: 2 components, 2 renders` }, LAZY);
    // The write's tag and size come with the panel's next look at the engine's events (a frame later at most).
    await waitFor(() => expect(write.textContent).toContain('Edit note, 1 entity'), LAZY);
    expect(within(write).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Note useEntity', 'NoteCount useKalphiteStoreevery change']);
    // Another type's write re-renders only the component that renders for everything.
    await act(async () => k.store.entities.set('f1', { id: 'f1', type: 'file', data: {}, space: 'default' }));
    const next = await within(panel).findByRole('region', { name: `Write ${k.store.version}: 1 component, 1 render` }, LAZY);
    expect(next.textContent).toContain('NoteCount');
    expect(within(panel).getByText('Re-render on every change:').parentElement?.textContent).toBe('Re-render on every change: NoteCount');
    // The newest write is listed first.
    const writes = within(within(panel).getByRole('list', { name: 'Renders per write' })).getAllByRole('region');
    expect(writes[0]).toBe(next);
  });
});
