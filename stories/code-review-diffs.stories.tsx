import type { Meta, StoryObj } from '@storybook/react-vite';
import { createTwoFilesPatch } from 'diff';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { FileView } from '../src/components/index.js';
import { LiveEngine } from './support/live-engine.js';
import { STORY_NOW } from './support/sample-data.js';
import { FLUSHER_NEW, FLUSHER_OLD, FLUSHER_PATH, LANGUAGE_FILES } from './support/sample-files.js';

type Input = 'texts' | 'patch' | 'patch-only' | 'other-file' | 'languages';

function DiffStory({ input, theme }: { readonly input: Input; readonly theme: 'light' | 'dark' }) {
  const patch = createTwoFilesPatch(`a${FLUSHER_PATH}`, `b${FLUSHER_PATH}`, FLUSHER_OLD, FLUSHER_NEW, '', '', { context: 2 });
  return (
    <div data-kalphite-theme={theme} style={{ background: theme === 'dark' ? '#0d1117' : undefined, padding: 8, display: 'grid', gap: 16 }}>
      <LiveEngine>
        {input === 'languages' ? (
          LANGUAGE_FILES.map((file) => <FileView key={file.path} filePath={file.path} oldCode={file.oldCode} code={file.code} currentUser="you" now={STORY_NOW} />)
        ) : input === 'other-file' ? (
          <FileView filePath="/src/engine/store.ts" diff={patch + createTwoFilesPatch('a/theme.css', 'b/theme.css', '.a {}', '.b {}')} code={FLUSHER_NEW} currentUser="you" now={STORY_NOW} />
        ) : input === 'texts' ? (
          <FileView filePath={FLUSHER_PATH} oldCode={FLUSHER_OLD} code={FLUSHER_NEW} currentUser="you" now={STORY_NOW} />
        ) : (
          <FileView filePath={FLUSHER_PATH} diff={patch} {...(input === 'patch' && { code: FLUSHER_NEW })} currentUser="you" now={STORY_NOW} />
        )}
      </LiveEngine>
    </div>
  );
}

const meta = {
  title: 'Components/Code review/Diffs',
  component: DiffStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { FileView },
  args: { input: 'texts', theme: 'light' },
  argTypes: { input: { control: 'inline-radio', options: ['texts', 'patch', 'patch-only', 'other-file', 'languages'] }, theme: { control: 'inline-radio', options: ['light', 'dark'] } },
} satisfies Meta<typeof DiffStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const file = (canvasElement: HTMLElement, path = FLUSHER_PATH) => within(canvasElement).findByRole('region', { name: `File ${path}` }, { timeout: 30_000 });

/** Two texts of a long file: unchanged lines far from a change fold, and expand on request. */
export const FoldedContext: Story = {
  play: async ({ canvasElement }) => {
    const view = within(await file(canvasElement));
    await expect(view.getByText(/^\+\d+$/)).toBeInTheDocument();
    await expect(view.queryByRole('button', { name: 'Comment on line 22' })).toBeNull();
    const expand = view.getAllByRole('button', { name: /^Expand \d+ unchanged lines$/ });
    await expect(expand.length).toBeGreaterThan(0);
    await userEvent.click(expand[0]!);
    await expect(view.getByRole('button', { name: 'Comment on line 22' })).toBeInTheDocument();
  },
};

/** A unified diff with the file's new text: the lines between hunks are there to expand. */
export const FromUnifiedDiff: Story = {
  args: { input: 'patch' },
  play: async ({ canvasElement }) => {
    const view = within(await file(canvasElement));
    await expect(view.getAllByText(/^@@ -\d+,\d+ \+\d+,\d+ @@$/).length).toBeGreaterThan(0);
    await userEvent.click(view.getAllByRole('button', { name: /^Expand \d+ unchanged lines$/ })[0]!);
    await expect(view.getByRole('button', { name: 'Comment on line 22' })).toBeInTheDocument();
  },
};

/** A unified diff alone: what it left out is counted, and cannot be expanded. */
export const UnifiedDiffOnly: Story = {
  args: { input: 'patch-only' },
  play: async ({ canvasElement }) => {
    const view = within(await file(canvasElement));
    await expect(view.getAllByText(/^\d+ unchanged lines not in the diff$/).length).toBeGreaterThan(0);
    await expect(view.queryByRole('button', { name: /^Expand/ })).toBeNull();
    await userEvent.click(view.getByRole('button', { name: 'Comment on line 8' }));
    await userEvent.type(view.getByLabelText('Your comment on line 8'), 'Good doc comment.');
    await userEvent.click(view.getByRole('button', { name: 'Comment' }));
    await expect(await view.findByText('Good doc comment.')).toBeInTheDocument();
  },
};

/** A diff of two other files: the view says so and shows the text it was given as it is. */
export const DiffOfAnotherFile: Story = {
  args: { input: 'other-file' },
  play: async ({ canvasElement }) => {
    const view = within(await file(canvasElement, '/src/engine/store.ts'));
    await expect(view.getByText('The diff has no changes to /src/engine/store.ts. Showing the file as it is.')).toBeInTheDocument();
    await expect(view.queryByRole('group', { name: 'Diff view' })).toBeNull();
  },
};

/** JavaScript, JSON, CSS and Markdown, each coloured once its grammar has loaded. */
export const Languages: Story = {
  args: { input: 'languages' },
  play: async ({ canvasElement }) => {
    const kinds: Record<string, string> = { '/demo/main.js': 'keyword', '/package.json': 'property', '/src/components/theme.css': 'selector', '/README.md': 'title' };
    for (const [path, kind] of Object.entries(kinds)) {
      const region = await file(canvasElement, path);
      await waitFor(() => expect(region.querySelector(`.kalphite-tok-${kind}`)).not.toBeNull(), { timeout: 15_000 });
    }
  },
};

/** The languages in the dark theme. */
export const LanguagesDark: Story = {
  args: { input: 'languages', theme: 'dark' },
  play: async ({ canvasElement }) => {
    const region = await file(canvasElement, '/demo/main.js');
    await waitFor(() => expect(region.querySelector('.kalphite-tok-keyword')).not.toBeNull(), { timeout: 15_000 });
  },
};
