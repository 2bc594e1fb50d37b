import type { Meta, StoryObj } from '@storybook/react-vite';
import { useMemo } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createMockSyncServer } from '../mocks/index.js';
import { CodeReview } from '../src/components/index.js';
import { createDevtoolsUiStore, KalphiteDevtoolsPanel } from '../src/devtools/production.js';
import { LiveEngine } from './support/live-engine.js';
import { FILE_PATH, SAMPLE_CODE, SAMPLE_OLD_CODE, STORY_NOW } from './support/sample-data.js';

// The panel starts on the Durability view, whatever another story left in localStorage.
const noStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} };

/** The app (a code review) and the devtools beside it, over one engine syncing with the mocked server. */
function WriteJourney() {
  const ui = useMemo(() => {
    const store = createDevtoolsUiStore(noStorage);
    store.getState().set({ tab: 'durability' });
    return store;
  }, []);
  return (
    <LiveEngine options={{ syncUrl: '/api/sync', flushDelayMs: 300, pushDelayMs: 0 }}>
      {(kalphite) => (
        <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 3fr) minmax(0, 2fr)', gap: 16, alignItems: 'start' }}>
          <CodeReview filePath={FILE_PATH} code={SAMPLE_CODE} oldCode={SAMPLE_OLD_CODE} currentUser="you" now={STORY_NOW} />
          <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} />
        </div>
      )}
    </LiveEngine>
  );
}

const meta = {
  title: "Start here/A write's journey",
  component: WriteJourney,
  // The guide (write-journey.mdx) is this story's docs page.
  tags: ['!autodocs'],
  subcomponents: { CodeReview, KalphiteDevtoolsPanel },
  parameters: { layout: 'fullscreen', msw: { handlers: createMockSyncServer().handlers } },
} satisfies Meta<typeof WriteJourney>;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * A comment, from the click to the server's acknowledgement: it is in memory at once (the review
 * shows it), in the local database after the flush, then pushed and acknowledged — one lane in
 * the Durability view, its bars growing stage by stage.
 */
export const CommentToAcknowledgement: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const review = await canvas.findByRole('region', { name: `File ${FILE_PATH}` }, { timeout: 50_000 });
    const devtools = within(await canvas.findByRole('region', { name: 'Kalphite devtools' }, { timeout: 50_000 }));
    await userEvent.click(within(review).getByRole('button', { name: /^Comment on line 9( |$)/ }));
    await userEvent.type(within(review).getByLabelText('Your comment on line 9'), 'Null, not undefined: say so in the changelog.');
    await userEvent.click(within(review).getByRole('button', { name: 'Comment' }));
    // In memory at once: the review shows it before anything is on disk.
    await expect(within(review).getByText('Null, not undefined: say so in the changelog.')).toBeInTheDocument();
    const lanes = devtools.getByRole('list', { name: 'Write timeline' });
    await waitFor(() => expect(within(lanes).getAllByRole('listitem').at(-1)).toHaveAttribute('data-done', 'true'), { timeout: 30_000 });
    await expect(within(lanes).getAllByRole('listitem').at(-1)).toHaveTextContent(/local db .* server .* acknowledged/);
  },
};
