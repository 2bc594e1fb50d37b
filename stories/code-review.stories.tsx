import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { CodeReview, CommentForm, CommentThread, FileView, Markdown, ReviewList, type DiffViewMode } from '../src/components/index.js';
import type { Kalphite } from '../src/engine/index.js';
import { LiveEngine } from './support/live-engine.js';
import { FILE_PATH, SAMPLE_CODE, SAMPLE_OLD_CODE, seedDiscussion, seedManyComments, seedReview, STORY_NOW } from './support/sample-data.js';

interface Args {
  readonly seed: 'none' | 'review' | 'discussion' | 'leftovers' | 'large' | 'untrusted';
  readonly theme: 'light' | 'dark';
  readonly view: DiffViewMode;
  /** Show the change from the old text (off: the file as it is). */
  readonly change: boolean;
  /** The story's frame width in px (narrow: a phone). */
  readonly width?: number;
  /** Lay the story out 1,100 px wide whatever the window (side by side needs the room). */
  readonly wide?: boolean;
}

const UNTRUSTED = [
  'Raw HTML stays text: <img src=x onerror=alert(1)> and <script>alert(2)</script>',
  '',
  '[a javascript: link](javascript:alert(3)) · [a data: link](data:text/html,<b>x</b>) · [the docs](https://example.com/docs) · ![a tracking pixel](https://example.com/pixel.png)',
].join('\n');

function seedFor(seed: Args['seed']): ((k: Kalphite) => void) | undefined {
  if (seed === 'review') return (k) => seedReview(k.store);
  if (seed === 'discussion') return (k) => seedDiscussion(k.store);
  if (seed === 'large') return (k) => seedManyComments(k.store, 5000);
  if (seed === 'leftovers') {
    return (k) => {
      seedDiscussion(k.store);
      const root = k.store.getById('comment-1')!;
      k.store.entities.set('comment-1', { ...root, data: { ...(root.data as object), deleted: true } });
      k.store.entities.set('comment-gone', { id: 'comment-gone', type: 'comment', data: { message: 'On a line this version no longer has.', lineNumber: 40, filePath: FILE_PATH, authorId: 'margaret' }, updatedAt: STORY_NOW - 86_400_000 });
    };
  }
  if (seed === 'untrusted') {
    return (k) => k.store.entities.set('xss', { id: 'xss', type: 'comment', data: { message: UNTRUSTED, lineNumber: 2, filePath: FILE_PATH, authorId: '<script>alert(2)</script>' }, updatedAt: STORY_NOW - 60_000 });
  }
  return undefined;
}

function CodeReviewStory({ seed, theme, view, change, width, wide }: Args) {
  return (
    <div data-kalphite-theme={theme} style={{ background: theme === 'dark' ? '#0d1117' : undefined, padding: 8, ...(width && { maxWidth: width }), ...(wide && { width: 1100 }) }}>
      <LiveEngine onReady={seedFor(seed)}>
        <CodeReview filePath={FILE_PATH} code={SAMPLE_CODE} {...(change && { oldCode: SAMPLE_OLD_CODE })} view={view} currentUser="you" now={STORY_NOW} />
      </LiveEngine>
    </div>
  );
}

const meta = {
  title: 'Components/Code review',
  component: CodeReviewStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { CodeReview, FileView, ReviewList, CommentThread, CommentForm, Markdown },
  args: { seed: 'discussion', theme: 'light', view: 'unified', change: true },
  argTypes: {
    seed: { control: 'inline-radio', options: ['none', 'review', 'discussion', 'leftovers', 'large', 'untrusted'] },
    theme: { control: 'inline-radio', options: ['light', 'dark'] },
    view: { control: 'inline-radio', options: ['unified', 'split'] },
  },
} satisfies Meta<typeof CodeReviewStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const ready = (canvasElement: HTMLElement) => within(canvasElement).findByRole('region', { name: `File ${FILE_PATH}` }, { timeout: 30_000 });
/** Colours arrive once the grammar's chunk has loaded. */
const coloured = (file: HTMLElement) => waitFor(() => expect(file.querySelector('.kalphite-tok-keyword')).not.toBeNull(), { timeout: 15_000 });

/** A change with nothing said yet: comment on an added line, reply, open a review and approve it with a summary. */
export const Empty: Story = {
  args: { seed: 'none' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const file = await ready(canvasElement);
    await coloured(file);
    await expect(canvas.getByText('No reviews yet.')).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Comment on line 3' }));
    await userEvent.type(canvas.getByLabelText('Your comment on line 3'), 'Document *why* it is layer 1.');
    await userEvent.click(canvas.getByRole('button', { name: 'Comment' }));
    const thread = await canvas.findByRole('group', { name: 'Comments on line 3' });
    await expect(within(thread).getByText('why').tagName).toBe('EM');
    await userEvent.click(within(thread).getByRole('button', { name: 'Reply' }));
    await userEvent.type(canvas.getByLabelText('Reply on line 3'), 'Done.');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    await expect(await within(thread).findByText('Done.')).toBeInTheDocument();
    await userEvent.type(canvas.getByLabelText('New review title'), 'Store review');
    await userEvent.click(canvas.getByRole('button', { name: 'Open review' }));
    await userEvent.click(await canvas.findByRole('button', { name: 'Approve' }));
    await userEvent.type(canvas.getByLabelText('Summary of your approval (optional) for Store review'), 'Reads well.');
    await userEvent.click(canvas.getByRole('button', { name: 'Submit approval' }));
    await expect(await canvas.findByText('Approved')).toBeInTheDocument();
  },
};

/** Threads with replies, a resolved thread and one on a removed line; reply, edit, resolve, delete and undo. */
export const Populated: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const file = await ready(canvasElement);
    await coloured(file);
    const thread = canvas.getByRole('group', { name: 'Comments on line 5' });
    await expect(within(thread).getByRole('link', { name: /the layout notes/ })).toHaveAttribute('rel', 'noopener noreferrer');
    await expect(canvas.getByRole('button', { name: 'Comment on line 5 (2 comments)' })).toBeInTheDocument();
    await expect(within(canvas.getByRole('group', { name: 'Comments on old line 7' })).getByText('undefined')).toBeInTheDocument();
    await userEvent.click(within(thread).getByRole('button', { name: /^Edit comment by grace/ }));
    const editor = canvas.getByLabelText('Edit comment by grace');
    await userEvent.clear(editor);
    await userEvent.type(editor, 'Why a **private** field here?');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    await expect(await within(thread).findByText('private')).toBeInTheDocument();
    await userEvent.click(within(thread).getByRole('button', { name: /^Resolve thread by grace/ }));
    await expect(await within(thread).findByText('Resolved')).toBeInTheDocument();
    await userEvent.click(within(thread).getByRole('button', { name: 'Show' }));
    await userEvent.click(within(thread).getByRole('button', { name: /^Delete comment by ada/ }));
    await waitFor(() => expect(within(thread).queryByText(/bypass the index/)).not.toBeInTheDocument());
    await userEvent.click(canvas.getByRole('button', { name: 'Undo' }));
    await expect(await within(thread).findByText(/bypass the index/)).toBeInTheDocument();
    await userEvent.click(within(canvas.getByRole('group', { name: 'Review Memory-first store' })).getByRole('button', { name: 'Request changes' }));
    await userEvent.type(canvas.getByLabelText('What needs to change for Memory-first store'), 'A test for `null` from `getById`.');
    await userEvent.click(canvas.getByRole('button', { name: 'Submit change request' }));
    await expect(await canvas.findByText('Changes requested')).toBeInTheDocument();
  },
};

/** The Undo button names the last action: delete a comment, "Undo delete comment" brings it back; Redo deletes it again. */
export const UndoButton: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    const thread = canvas.getByRole('group', { name: 'Comments on line 5' });
    await userEvent.click(within(thread).getByRole('button', { name: /^Delete comment by ada/ }));
    await waitFor(() => expect(within(thread).queryByText(/bypass the index/)).not.toBeInTheDocument());
    await userEvent.click(canvas.getByRole('button', { name: 'Undo delete comment' }));
    await expect(await within(thread).findByText(/bypass the index/)).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Redo delete comment' }));
    await waitFor(() => expect(within(thread).queryByText(/bypass the index/)).not.toBeInTheDocument());
    await expect(canvas.getByRole('button', { name: 'Undo delete comment' })).toBeEnabled();
  },
};

/** Ctrl+Z and Ctrl+Shift+Z in the review undo and redo (in a text box they stay the box's own). */
export const UndoKeys: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    const thread = canvas.getByRole('group', { name: 'Comments on line 5' });
    await userEvent.click(within(thread).getByRole('button', { name: /^Resolve thread by grace/ }));
    await expect(await within(thread).findByText('Resolved')).toBeInTheDocument();
    await expect(canvas.getByRole('button', { name: 'Undo resolve thread' })).toBeEnabled();
    // The thread itself takes focus (n/p move between threads); the keys are heard from inside the review.
    (thread.querySelector<HTMLElement>('[data-kalphite-thread]') ?? thread).focus();
    await userEvent.keyboard('{Control>}z{/Control}');
    await waitFor(() => expect(within(thread).queryByText('Resolved')).not.toBeInTheDocument());
    await userEvent.keyboard('{Control>}{Shift>}z{/Shift}{/Control}');
    await expect(await within(thread).findByText('Resolved')).toBeInTheDocument();
  },
};

/** Side by side: each thread stays on its side and line when the view switches. */
export const Split: Story = {
  args: { view: 'split', wide: true },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const file = await ready(canvasElement);
    await coloured(file);
    await expect(canvas.getByRole('button', { name: 'Split' })).toHaveAttribute('aria-pressed', 'true');
    const rowOf = (name: string) => canvas.getByRole('group', { name }).closest('li');
    await expect(rowOf('Comments on old line 7')).toHaveTextContent('getById(id: string): Entity | undefined');
    await userEvent.click(canvas.getByRole('button', { name: 'Unified' }));
    await expect(rowOf('Comments on old line 7')).toHaveTextContent('getById(id: string): Entity | undefined');
    await userEvent.click(canvas.getByRole('button', { name: 'Split' }));
    await expect(rowOf('Comments on line 5')).toHaveTextContent('readonly #entities');
  },
};

/** The keyboard alone: n / p move between threads, r replies, x resolves. */
export const Keyboard: Story = {
  args: { wide: true },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const file = await ready(canvasElement);
    const threads = canvas.getAllByRole('article');
    await userEvent.click(canvas.getByRole('button', { name: 'Unified' }));
    await userEvent.keyboard('n');
    await expect(threads[0]).toHaveFocus();
    await userEvent.keyboard('n');
    await expect(threads[1]).toHaveFocus();
    await userEvent.keyboard('p');
    await expect(threads[0]).toHaveFocus();
    await userEvent.keyboard('r');
    const reply = await within(threads[0]!).findByRole('textbox');
    await expect(reply).toHaveFocus();
    await userEvent.type(reply, 'Answered from the keyboard.');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    await expect(await within(file).findByText('Answered from the keyboard.')).toBeInTheDocument();
    threads[0]!.focus();
    await userEvent.keyboard('x');
    await expect(await within(threads[0]!).findByText('Resolved')).toBeInTheDocument();
  },
};

/** The file as it is (no old text): line numbers, colours and threads, no diff controls. */
export const WholeFile: Story = {
  args: { seed: 'review', change: false },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const file = await ready(canvasElement);
    await coloured(file);
    await expect(canvas.queryByRole('group', { name: 'Diff view' })).toBeNull();
    await expect(canvas.getByRole('button', { name: 'Comment on line 5 (2 comments)' })).toBeInTheDocument();
  },
};

/** A deleted comment whose reply keeps its thread, and a thread on a line the file no longer has. */
export const DeletedAndOutdated: Story = {
  args: { seed: 'leftovers' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    const thread = canvas.getByRole('group', { name: 'Comments on line 5' });
    await expect(within(thread).getByText('This comment was deleted.')).toBeInTheDocument();
    await expect(within(thread).getByText(/bypass the index/)).toBeInTheDocument();
    await expect(canvas.getByRole('button', { name: 'Comment on line 5 (1 comment)' })).toBeInTheDocument();
    const outside = canvas.getByRole('region', { name: 'Comments on lines outside this diff' });
    await expect(within(outside).getByRole('group', { name: 'Comments on line 40' })).toHaveTextContent('On a line this version no longer has.');
  },
};

/** 5,000 comments: threads fold, and commenting stays immediate. */
export const Large: Story = {
  args: { seed: 'large', change: false },
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

/**
 * Untrusted Markdown: raw HTML (an `<img onerror>`, a `<script>`) is text, a `javascript:` or
 * `data:` link is not a link, an external link opens apart with noopener, an image is never fetched.
 */
export const UntrustedText: Story = {
  args: { seed: 'untrusted' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    await expect(canvas.getByText(/<img src=x onerror=alert\(1\)>/)).toBeInTheDocument();
    await expect(canvas.getAllByText('<script>alert(2)</script>').length).toBeGreaterThan(0);
    await expect(canvasElement.querySelector('img, script')).toBeNull();
    await expect(canvas.getByText('a javascript: link').closest('a')).toBeNull();
    await expect(canvas.getByText('a data: link').closest('a')).toBeNull();
    const docs = canvas.getByRole('link', { name: /the docs/ });
    await expect(docs).toHaveAttribute('href', 'https://example.com/docs');
    await expect(docs).toHaveAttribute('rel', 'noopener noreferrer');
    await expect(canvas.getByRole('link', { name: '[image: a tracking pixel]' })).toBeInTheDocument();
    for (const link of canvasElement.querySelectorAll('a')) await expect(link.getAttribute('href') ?? '').toMatch(/^https:/);
  },
};

/** The same screen with the dark theme's variables. */
export const Dark: Story = {
  args: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    const file = await ready(canvasElement);
    await coloured(file);
    await expect(getComputedStyle(file).getPropertyValue('--kalphite-bg').trim()).toBe('#0d1117');
  },
};

/** A phone's width: the review list goes under the file, and lines wrap. */
export const Narrow: Story = {
  args: { width: 380 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const file = await ready(canvasElement);
    const list = canvas.getByRole('region', { name: 'Reviews (2)' });
    await expect(list.getBoundingClientRect().top).toBeGreaterThan(file.getBoundingClientRect().bottom - 1);
    await expect(file.scrollWidth).toBeLessThanOrEqual(file.clientWidth + 1);
    // Two columns of code do not fit: the view stays unified.
    await expect(canvas.getByRole('button', { name: 'Split' })).toBeDisabled();
  },
};
