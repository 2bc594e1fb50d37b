import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { Dashboard } from '../src/components/index.js';
import { useKalphiteInstance } from '../src/react/index.js';
import { LiveEngine } from './support/live-engine.js';
import { FILE_PATH, seedManyComments, seedReview, STORY_NOW } from './support/sample-data.js';

function Simulate() {
  const { store } = useKalphiteInstance();
  return (
    <button
      type="button"
      onClick={() => {
        const id = `live-${store.entities.size}`;
        store.entities.set(id, { id, type: 'comment', data: { message: 'A new comment', lineNumber: 1, filePath: FILE_PATH, authorId: 'you' }, updatedAt: STORY_NOW });
      }}
    >
      Simulate a comment
    </button>
  );
}

function DashboardStory({ seed }: { readonly seed: 'none' | 'review' | 'busy' }) {
  return (
    <LiveEngine
      onReady={(k) => {
        if (seed !== 'none') seedReview(k.store);
        if (seed === 'busy') seedManyComments(k.store, 2000);
      }}
    >
      <Simulate />
      <Dashboard now={STORY_NOW} />
    </LiveEngine>
  );
}

const meta = {
  title: 'Components/Dashboard',
  component: DashboardStory,
  args: { seed: 'review' },
  argTypes: { seed: { control: 'inline-radio', options: ['none', 'review', 'busy'] } },
} satisfies Meta<typeof DashboardStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const stat = (canvas: ReturnType<typeof within>, title: string) => canvas.getByText(title).nextElementSibling?.textContent;

export const Empty: Story = {
  args: { seed: 'none' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByRole('region', { name: 'Review dashboard' }, { timeout: 30_000 });
    await expect(canvas.getByText('Nothing has happened yet.')).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Simulate a comment' }));
    await expect(await canvas.findByText(/you commented on line 1/)).toBeInTheDocument();
    await expect(stat(canvas, 'Comments')).toBe('1');
  },
};

export const Populated: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByRole('region', { name: 'Review dashboard' }, { timeout: 30_000 });
    await expect([stat(canvas, 'Comments'), stat(canvas, 'Reviews'), stat(canvas, 'Pending reviews')]).toEqual(['3', '2', '1']);
    await expect(canvas.getByRole('img', { name: /Activity over the last 60 minutes/ })).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Simulate a comment' }));
    await waitFor(() => expect(stat(canvas, 'Comments')).toBe('4'));
  },
};

export const Busy: Story = {
  args: { seed: 'busy' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByRole('region', { name: 'Review dashboard' }, { timeout: 30_000 });
    await expect(stat(canvas, 'Comments')).toBe('2,003');
  },
};
