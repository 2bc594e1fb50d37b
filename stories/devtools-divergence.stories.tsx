import type { Meta, StoryObj } from '@storybook/react-vite';
import { http, HttpResponse } from 'msw';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createMockSyncServer } from '../mocks/index.js';
import type { Kalphite } from '../src/engine/index.js';
import { DevtoolsStory } from './support/devtools-story.js';
import { KalphiteDevtoolsPanel } from '../src/devtools/production.js';

/** The divergence check: memory against digests the server computes, per type, with a drill-down to the ids. */
const meta = {
  title: 'Devtools/Divergence',
  component: DevtoolsStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { KalphiteDevtoolsPanel },
  args: { seed: 'review', sync: true, tab: 'divergence' },
} satisfies Meta<typeof DevtoolsStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const SLOW = { timeout: 50_000 };
const panel = async (canvasElement: HTMLElement) => within(await within(canvasElement).findByRole('region', { name: 'Kalphite devtools' }, SLOW));
const header = (devtools: ReturnType<typeof within>, label: string) => devtools.getByLabelText(label).textContent;
/** Each row of the types table: [type, here, server, contents]. */
const rows = (devtools: ReturnType<typeof within>) =>
  within(devtools.getByRole('table', { name: /^Types in / }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => [...row.querySelectorAll('th, td')].slice(0, 4).map((cell) => cell.textContent?.trim()));

/** Synced: every type agrees, with the same counts on both sides. */
export const Agree: Story = {
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await waitFor(() => expect(header(devtools, 'Data at risk')).toBe('nothing at risk'), SLOW);
    await userEvent.click(devtools.getByRole('button', { name: 'Check again' }));
    await expect(await devtools.findByText('Memory and the server agree: 2 types, 5 entities.', {}, SLOW)).toBeInTheDocument();
    await expect(rows(devtools)).toEqual([
      ['comment', '3', '3', 'agree'],
      ['review', '2', '2', 'agree'],
    ]);
    await expect(devtools.queryByRole('button', { name: 'Which ids?' })).toBeNull();
  },
};

/**
 * A story where another client writes to the server while this one is paused: a new comment and a
 * review's new status, while this one writes a note that waits to be pushed. Each story gets its
 * own server, and its engine (to wait until its sync is idle once paused).
 */
function divergingStory(): Pick<Story, 'args' | 'parameters'> & { readonly diverge: (canvasElement: HTMLElement) => Promise<ReturnType<typeof within>> } {
  const elsewhere = createMockSyncServer();
  let engine: Kalphite | null = null;
  return {
    args: { onReady: (k) => (engine = k) },
    parameters: { msw: { handlers: elsewhere.handlers } },
    diverge: async (canvasElement) => {
      const canvas = within(canvasElement);
      const devtools = await panel(canvasElement);
      await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
      await waitFor(() => expect(header(devtools, 'Data at risk')).toBe('nothing at risk'), SLOW);
      await userEvent.click(devtools.getByRole('button', { name: 'Pause sync' }));
      // A pull already on its way when paused could still read what the other client writes next.
      await waitFor(() => expect(engine?.sync?.status).toMatchObject({ paused: true, pulling: false, pushing: false }), SLOW);
      const core = await elsewhere.ready;
      await core.push({
        pushVersion: 1,
        clientGroupID: 'another-browser',
        profileID: 'another',
        schemaVersion: '1',
        mutations: [
          { clientID: 'another-tab', id: 1, name: 'upsert', args: { id: 'comment-9', type: 'comment', data: { message: 'Written elsewhere' } }, timestamp: 0 },
          { clientID: 'another-tab', id: 2, name: 'upsert', args: { id: 'review-2', type: 'review', data: { title: 'Flusher backoff', status: 'changes_requested', authorId: 'grace' } }, timestamp: 0 },
        ],
      });
      await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
      await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
      await userEvent.click(devtools.getByRole('button', { name: 'Check again' }));
      await expect(await devtools.findByText('3 of 3 types differ between memory and the server.', {}, SLOW)).toBeInTheDocument();
      return devtools;
    },
  };
}

/** Opens the drill-down of one type's row. */
async function drill(devtools: ReturnType<typeof within>, type: string) {
  const row = within(devtools.getByRole('table', { name: /^Types in / })).getByRole('rowheader', { name: type }).closest('tr')!;
  await userEvent.click(within(row).getByRole('button', { name: 'Which ids?' }));
  return within(await devtools.findByRole('region', { name: `Differing ${type} ids` }, SLOW));
}

const differs = divergingStory();

/**
 * Three types differ: the comments by one the server has and memory not, the reviews by a value,
 * the notes by a local write on its way; each drills down to its ids.
 */
export const Differs: Story = {
  args: differs.args,
  parameters: differs.parameters,
  play: async ({ canvasElement }) => {
    const devtools = await differs.diverge(canvasElement);
    await expect(devtools.getByText(/It has changes not pulled yet: pull, then check again\./)).toBeInTheDocument();
    await expect(rows(devtools)).toEqual([
      ['comment', '3', '4', 'differ'],
      ['note', '1', '0', 'differ · 1 on the way'],
      ['review', '2', '2', 'differ'],
    ]);
    const reviews = await drill(devtools, 'review');
    await expect(await reviews.findByRole('list', { name: 'Different values' }, SLOW)).toHaveTextContent('review-2');
    const notes = await drill(devtools, 'note');
    await expect(await notes.findByRole('list', { name: 'Only here' }, SLOW)).toHaveTextContent('note-1 (a local write on its way)');
    const comments = await drill(devtools, 'comment');
    await expect(await comments.findByRole('list', { name: 'Only on the server' }, SLOW)).toHaveTextContent('comment-9');
  },
};

const settles = divergingStory();

/** The same difference, then sync resumed and pulled: everything agrees again. */
export const DiffersThenSettles: Story = {
  args: settles.args,
  parameters: settles.parameters,
  play: async ({ canvasElement }) => {
    const devtools = await settles.diverge(canvasElement);
    await userEvent.click(devtools.getByRole('button', { name: 'Resume sync' }));
    await waitFor(() => expect(header(devtools, 'Data at risk')).toBe('nothing at risk'), SLOW);
    await userEvent.click(devtools.getByRole('button', { name: 'Pull now' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Check again' }));
    await expect(await devtools.findByText('Memory and the server agree: 3 types, 7 entities.', {}, SLOW)).toBeInTheDocument();
  },
};

/** A server from before the divergence check answers 404 on its route: the view says so. */
export const ServerWithoutDigest: Story = {
  parameters: {
    msw: {
      handlers: [
        http.post('*/api/sync/digest', () => HttpResponse.json({ error: 'not-found', message: 'No sync route at /api/sync/digest.' }, { status: 404 })),
        ...createMockSyncServer().handlers,
      ],
    },
  },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await expect(await devtools.findByRole('alert', {}, SLOW)).toHaveTextContent(/^Could not check: The sync server answered 404 to digest: No sync route at \/api\/sync\/digest\. \(this server has no digest route: it predates the divergence check\)$/);
  },
};
