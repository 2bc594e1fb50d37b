import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { CodeReview } from '../src/components/index.js';
import type { Kalphite } from '../src/engine/index.js';
import { LiveEngine } from './support/live-engine.js';
import { FILE_PATH, SAMPLE_CODE, seedManyComments, seedReview, STORY_NOW } from './support/sample-data.js';

interface Args {
  readonly seed: 'none' | 'review' | 'large' | 'untrusted';
  readonly theme: 'light' | 'dark';
}

function seedFor(seed: Args['seed']): ((k: Kalphite) => void) | undefined {
  if (seed === 'review') return (k) => seedReview(k.store);
  if (seed === 'large') return (k) => seedManyComments(k.store, 5000);
  if (seed === 'untrusted') {
    return (k) =>
      k.store.entities.set('xss', { id: 'xss', type: 'comment', data: { message: '<img src=x onerror=alert(1)>', lineNumber: 2, filePath: FILE_PATH, authorId: '<script>alert(2)</script>' } });
  }
  return undefined;
}

function CodeReviewStory({ seed, theme }: Args) {
  return (
    <div data-kalphite-theme={theme} style={{ background: theme === 'dark' ? '#0d1117' : undefined, padding: 8 }}>
      <LiveEngine onReady={seedFor(seed)}>
        <CodeReview filePath={FILE_PATH} code={SAMPLE_CODE} currentUser="you" now={STORY_NOW} />
      </LiveEngine>
    </div>
  );
}

const meta = {
  title: 'Components/Code review',
  component: CodeReviewStory,
  args: { seed: 'review', theme: 'light' },
  argTypes: { seed: { control: 'inline-radio', options: ['none', 'review', 'large', 'untrusted'] }, theme: { control: 'inline-radio', options: ['light', 'dark'] } },
} satisfies Meta<typeof CodeReviewStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const ready = (canvasElement: HTMLElement) => within(canvasElement).findByRole('region', { name: `File ${FILE_PATH}` }, { timeout: 30_000 });

/** Nothing yet: comment on a line, open a review, approve it. */
export const Empty: Story = {
  args: { seed: 'none' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    await expect(canvas.getByText('No reviews yet.')).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Comment on line 3' }));
    await userEvent.type(canvas.getByLabelText('Your comment on line 3'), 'Document this class.');
    await userEvent.click(canvas.getByRole('button', { name: 'Comment' }));
    const thread = await canvas.findByRole('group', { name: 'Comments on line 3' });
    await expect(within(thread).getByText('Document this class.')).toBeInTheDocument();
    await userEvent.type(canvas.getByLabelText('New review title'), 'Store review');
    await userEvent.click(canvas.getByRole('button', { name: 'Open review' }));
    await userEvent.click(await canvas.findByRole('button', { name: 'Approve' }));
    await expect(await canvas.findByText('Approved')).toBeInTheDocument();
  },
};

/** Threads, a resolved comment and two reviews: edit, resolve and delete from the keyboard. */
export const Populated: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    const thread = canvas.getByRole('group', { name: 'Comments on line 5' });
    await userEvent.click(within(thread).getByRole('button', { name: /^Edit comment by grace/ }));
    const editor = canvas.getByLabelText('Edit comment by grace');
    await userEvent.clear(editor);
    await userEvent.type(editor, 'Private fields keep the index honest.');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    await expect(await within(thread).findByText('Private fields keep the index honest.')).toBeInTheDocument();
    await userEvent.click(within(thread).getByRole('button', { name: /^Resolve comment by ada/ }));
    await expect(await within(thread).findByText('Resolved')).toBeInTheDocument();
    await userEvent.click(within(thread).getByRole('button', { name: /^Delete comment by grace/ }));
    await waitFor(() => expect(within(thread).queryByText('Private fields keep the index honest.')).not.toBeInTheDocument());
    const pending = canvas.getByRole('group', { name: 'Change status of Memory-first store' });
    await userEvent.click(within(pending).getByRole('button', { name: 'Request changes' }));
    await expect(await canvas.findByText('Changes requested')).toBeInTheDocument();
  },
};

/** 5,000 comments: threads fold, and commenting stays immediate. */
export const Large: Story = {
  args: { seed: 'large' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    const folds = canvas.getAllByRole('button', { name: /^Show all \d+ comments$/ });
    await expect(folds.length).toBeGreaterThan(10);
    await userEvent.click(canvas.getByRole('button', { name: /^Comment on line 1 / }));
    await userEvent.type(canvas.getByLabelText('Your comment on line 1'), 'Still fast.');
    await userEvent.click(canvas.getByRole('button', { name: 'Comment' }));
    await expect(await canvas.findByRole('button', { name: /^Comment on line 1 \(\d+ comments\)/ })).toBeInTheDocument();
  },
};

/** A comment and an author that look like HTML are shown as text, never run. */
export const UntrustedText: Story = {
  args: { seed: 'untrusted' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    await expect(canvas.getByText('<img src=x onerror=alert(1)>')).toBeInTheDocument();
    await expect(canvas.getByText('<script>alert(2)</script>')).toBeInTheDocument();
    await expect(canvasElement.querySelector('img')).toBeNull();
  },
};

/** The same screen with the dark theme's variables. */
export const Dark: Story = {
  args: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    const file = await ready(canvasElement);
    await expect(getComputedStyle(file).getPropertyValue('--kalphite-bg').trim()).toBe('#0d1117');
  },
};
