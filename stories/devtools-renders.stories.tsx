import type { Meta, StoryObj } from '@storybook/react-vite';
import { memo, useMemo } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import type { Entity, Kalphite } from '../src/engine/index.js';
import { createDevtoolsUiStore, KalphiteDevtoolsPanel } from '../src/devtools/production.js';
import { useEntity, useKalphiteInstance, useKalphiteStore } from '../src/react/index.js';
import { showView } from './support/devtools-views.js';
import { LiveEngine } from './support/live-engine.js';

const NOTES = ['note-1', 'note-2', 'note-3'];
const note = (id: string, text: string): Entity => ({ id, type: 'note', data: { text }, space: 'default' });

/** A targeted hook: renders only when its own note changes. */
const NoteRow = memo(function NoteRow({ id }: { id: string }) {
  const entity = useEntity(id);
  return <li>{(entity?.data as { text: string } | undefined)?.text}</li>;
});

/** The seed's hook: renders on every commit, whatever it changed. */
function Summary() {
  const store = useKalphiteStore();
  return <p>{store.getAll().length} entities in memory</p>;
}

function App() {
  const { store } = useKalphiteInstance();
  const edit = (id: string) => store.batch(() => store.entities.set(id, note(id, `${id} edited at version ${store.version + 1}`)), { tag: `Edit ${id}` });
  return (
    <section className="kalphite" aria-label="Notes app" style={{ display: 'grid', gap: 8 }}>
      <ul style={{ margin: 0 }}>
        {NOTES.map((id) => (
          <NoteRow key={id} id={id} />
        ))}
      </ul>
      <Summary />
      <p style={{ display: 'flex', gap: 8, flexWrap: 'wrap', margin: 0 }}>
        <button type="button" className="kalphite-button" onClick={() => edit('note-1')}>
          Edit note 1
        </button>
        <button type="button" className="kalphite-button" onClick={() => edit('note-2')}>
          Edit note 2
        </button>
        <button type="button" className="kalphite-button" onClick={() => store.batch(() => store.entities.set('file-1', { id: 'file-1', type: 'file', data: { path: '/a.ts' }, space: 'default' }), { tag: 'Add a file' })}>
          Add a file
        </button>
      </p>
    </section>
  );
}

// Each story starts from its own UI state: a remembered tab from another story would change what it shows.
const noStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} };

function seed(kalphite: Kalphite) {
  kalphite.store.batch(() => NOTES.forEach((id) => kalphite.store.entities.set(id, note(id, id))));
}

interface RendersStoryProps {
  readonly hostTheme?: 'light' | 'dark';
  /** The panel's width in px (a narrow dock); unset, the story's. */
  readonly width?: number;
}

function RendersStory({ hostTheme = 'light', width }: RendersStoryProps) {
  const ui = useMemo(() => createDevtoolsUiStore(noStorage), []);
  return (
    <main data-kalphite-theme={hostTheme} style={{ padding: 16, ...(width !== undefined && { maxWidth: width }), ...(hostTheme === 'dark' && { background: '#0d1117', color: '#e6edf3' }) }}>
      <LiveEngine onReady={seed}>
        {(kalphite) => (
          <>
            <App />
            <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} />
          </>
        )}
      </LiveEngine>
    </main>
  );
}

const meta = {
  title: 'Devtools/Renders',
  component: RendersStory,
  argTypes: { hostTheme: { control: 'inline-radio', options: ['light', 'dark'] }, width: { control: 'number' } },
} satisfies Meta<typeof RendersStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const SLOW = { timeout: 30_000 };

/**
 * Render fan-out per write: editing note 1 re-renders its row (useEntity) and the summary
 * (useKalphiteStore, marked "every change"), not the other rows; adding a file — another type —
 * re-renders the summary alone. A static Storybook is a production build, whose hooks do not
 * report: the view says so.
 */
export const TargetedAgainstWhole: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = within(await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW));
    await showView(devtools, 'Renders');
    if (process.env.NODE_ENV === 'production') {
      await expect(devtools.getByText(/^Render reports come from development builds/)).toBeInTheDocument();
      return;
    }
    await expect(devtools.getByText(/^No component has re-rendered for a write yet/)).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Edit note 1' }));
    const first = await devtools.findByRole('region', { name: /^Write \d+: 2 components, 2 renders$/ }, SLOW);
    await expect(first).toHaveTextContent('Edit note-1, 1 entity');
    await expect(within(first).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['NoteRow useEntity', 'Summary useKalphiteStoreevery change']);
    await userEvent.click(canvas.getByRole('button', { name: 'Edit note 2' }));
    await waitFor(() => expect(devtools.getAllByRole('region', { name: /^Write \d+: 2 components, 2 renders$/ })).toHaveLength(2), SLOW);
    await userEvent.click(canvas.getByRole('button', { name: 'Add a file' }));
    const file = await devtools.findByRole('region', { name: /^Write \d+: 1 component, 1 render$/ }, SLOW);
    await expect(file).toHaveTextContent('Add a file, 1 entity');
    await expect(within(file).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['Summary useKalphiteStoreevery change']);
    // Over the three writes each row rendered once, for its own note; the summary rendered for all three.
    await expect(devtools.getByText('Re-render on every change:').parentElement).toHaveTextContent(/^Re-render on every change: Summary$/);
  },
};

/** The same, docked narrow on a dark host: the views as a menu, each write's components wrapping under its bar. */
export const NarrowDark: Story = {
  args: { hostTheme: 'dark', width: 340 },
  play: TargetedAgainstWhole.play,
};
