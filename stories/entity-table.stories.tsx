import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, userEvent, within } from 'storybook/test';
import { EntityTable } from '../src/components/index.js';
import type { Kalphite } from '../src/engine/index.js';
import { useKalphiteInstance } from '../src/react/index.js';
import { LiveEngine } from './support/live-engine.js';

/** One fixed time for every row: the clock's would move the picture every run. */
const WRITTEN_AT = Date.UTC(2026, 0, 5, 9, 30);

/**
 * A small writer beside the table: every button goes through `store.entities`, like app code. Ids
 * count up, so every run pictures the same rows.
 */
function Writer() {
  const { store } = useKalphiteInstance();
  const [message, setMessage] = useState('Looks good!');
  const [count, setCount] = useState(0);
  const add = () => {
    const id = `written-${count + 1}`;
    setCount(count + 1);
    store.entities.set(id, { id, type: 'comment', data: { message, lineNumber: 42, filePath: '/src/App.tsx', authorId: 'current-user' }, updatedAt: WRITTEN_AT });
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        add();
      }}
      className="kalphite"
      style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center', marginBottom: 12 }}
    >
      <label style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
        Message <input className="kalphite-input" value={message} onChange={(event) => setMessage(event.target.value)} />
      </label>
      <button type="submit" className="kalphite-button">
        Add comment
      </button>
      <button type="button" className="kalphite-button" onClick={() => store.entities.clear()}>
        Clear all
      </button>
    </form>
  );
}

function seed(kalphite: Kalphite) {
  const { store } = kalphite;
  store.batch(() => {
    store.entities.set('review-1', { id: 'review-1', type: 'review', data: { status: 'pending', title: 'Add memory-first store' }, updatedAt: WRITTEN_AT });
    store.entities.set('comment-1', { id: 'comment-1', type: 'comment', data: { message: 'Why a Map here?', lineNumber: 12, filePath: '/src/store.ts', authorId: 'ada' }, updatedAt: WRITTEN_AT });
  });
}

interface Args {
  readonly type?: string;
  readonly seeded: boolean;
}

function LiveTable({ type, seeded }: Args) {
  return (
    <LiveEngine onReady={seeded ? seed : undefined}>
      {(kalphite) => (
        <>
          <Writer />
          <EntityTable type={type} onDelete={(id) => kalphite.store.entities.delete(id)} />
        </>
      )}
    </LiveEngine>
  );
}

const meta = {
  title: 'Engine/Entity table',
  component: LiveTable,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { EntityTable },
  args: { seeded: true },
  // Fixed ids and times: the same picture every run, so the rows are in it, and no row can change
  // unseen (the default 0.5% of the picture is more than two rows of text).
  parameters: { visual: { maxChangedPixels: 100 } },
} satisfies Meta<typeof LiveTable>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Every entity in a live engine; writes from the form show up at once. */
export const Populated: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const table = await canvas.findByRole('table', { name: /All entities/ }, { timeout: 20_000 });
    await expect(within(table).getByText('review-1')).toBeInTheDocument();
    await userEvent.clear(canvas.getByLabelText('Message'));
    await userEvent.type(canvas.getByLabelText('Message'), 'Ship it');
    await userEvent.click(canvas.getByRole('button', { name: 'Add comment' }));
    await expect(await within(table).findByText(/"message":"Ship it"/)).toBeInTheDocument();
    await userEvent.click(within(table).getByRole('button', { name: 'Delete review-1' }));
    await expect(within(table).queryByText('review-1')).not.toBeInTheDocument();
  },
};

/** Only one type: writes of other types do not touch this table. */
export const FilteredByType: Story = {
  args: { type: 'comment' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const table = await canvas.findByRole('table', { name: /Entities of type comment/ }, { timeout: 20_000 });
    await expect(within(table).queryByText('review-1')).not.toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Add comment' }));
    await expect(await within(table).findByText(/\(2\)/)).toBeInTheDocument();
  },
};

/** A fresh engine with nothing in it. */
export const Empty: Story = {
  args: { seeded: false },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText('No entities yet.', {}, { timeout: 20_000 })).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Add comment' }));
    await expect(canvas.queryByText('No entities yet.')).not.toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Clear all' }));
    await expect(await canvas.findByText('No entities yet.')).toBeInTheDocument();
  },
};
