import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, userEvent, within } from 'storybook/test';
import { EntityTable } from '../src/components/index.js';
import type { Kalphite } from '../src/engine/index.js';
import { useKalphiteInstance } from '../src/react/index.js';
import { LiveEngine } from './support/live-engine.js';

/** A small writer beside the table: every button goes through `store.entities`, like app code. */
function Writer() {
  const { store } = useKalphiteInstance();
  const [message, setMessage] = useState('Looks good!');
  const [count, setCount] = useState(0);
  const add = () => {
    const id = `comment-${Date.now().toString(36)}-${count}`;
    setCount(count + 1);
    store.entities.set(id, { id, type: 'comment', data: { message, lineNumber: 42, filePath: '/src/App.tsx', authorId: 'current-user' }, updatedAt: Date.now() });
  };
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        add();
      }}
      style={{ display: 'flex', gap: 8, marginBottom: 12 }}
    >
      <label>
        Message <input value={message} onChange={(event) => setMessage(event.target.value)} />
      </label>
      <button type="submit">Add comment</button>
      <button type="button" onClick={() => store.entities.clear()}>
        Clear all
      </button>
    </form>
  );
}

function seed(kalphite: Kalphite) {
  const { store } = kalphite;
  store.batch(() => {
    store.entities.set('review-1', { id: 'review-1', type: 'review', data: { status: 'pending', title: 'Add memory-first store' }, updatedAt: Date.now() });
    store.entities.set('comment-1', { id: 'comment-1', type: 'comment', data: { message: 'Why a Map here?', lineNumber: 12, filePath: '/src/store.ts', authorId: 'ada' }, updatedAt: Date.now() });
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
  // A written comment's id is random and each row's time the clock's: their widths move every
  // column, so the rows are left out of the picture (the play functions check what they hold).
  parameters: { visual: { mask: ['tbody'] } },
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
