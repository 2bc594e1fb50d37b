import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { CodeReview, SyncStatusBadge } from '../src/components/index.js';
import { createMockSyncServer } from '../mocks/index.js';
import { LiveEngine } from './support/live-engine.js';
import { FILE_PATH, SAMPLE_CODE, STORY_NOW } from './support/sample-data.js';

const sync = { syncUrl: '/api/sync', flushDelayMs: 0, pushDelayMs: 0, pullIntervalMs: 10_000 };

/** Two engines, each with its own local database, syncing through the mocked server. */
function TwoClients() {
  return (
    <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 16 }}>
      {(['Ada', 'Grace'] as const).map((name) => (
        <section key={name} aria-label={`${name}'s client`}>
          <h2 style={{ fontSize: 16 }}>{name}’s client</h2>
          <LiveEngine options={sync} label={name}>
            <SyncStatusBadge />
            <CodeReview filePath={FILE_PATH} code={SAMPLE_CODE} currentUser={name.toLowerCase()} now={STORY_NOW} label={name} />
          </LiveEngine>
        </section>
      ))}
    </div>
  );
}

const meta = {
  title: 'Sync/Two clients',
  component: TwoClients,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { CodeReview, SyncStatusBadge },
} satisfies Meta<typeof TwoClients>;

export default meta;
type Story = StoryObj<typeof meta>;

const client = async (canvasElement: HTMLElement, name: string) => {
  const region = within(canvasElement).getByRole('region', { name: `${name}'s client` });
  await within(region).findByRole('region', { name: `${name}: file ${FILE_PATH}` }, { timeout: 30_000 });
  await within(region).findByText('All changes synced', {}, { timeout: 30_000 });
  return within(region);
};

const commentOnLine9 = async (client: ReturnType<typeof within>, message: string) => {
  await userEvent.click(client.getByRole('button', { name: 'Comment on line 9' }));
  await userEvent.type(client.getByLabelText('Your comment on line 9'), message);
  await userEvent.click(client.getByRole('button', { name: 'Comment' }));
};

/** A comment made in one client appears in the other. */
export const EditAppearsOnTheOther: Story = {
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const ada = await client(canvasElement, 'Ada');
    const grace = await client(canvasElement, 'Grace');
    await commentOnLine9(ada, 'Hello from Ada');
    await expect(await grace.findByText('Hello from Ada', {}, { timeout: 20_000 })).toBeInTheDocument();
  },
};

/** Both edit one comment at once: the server's commit order decides, and both clients agree. */
export const ConflictResolvedByTheServer: Story = {
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const ada = await client(canvasElement, 'Ada');
    const grace = await client(canvasElement, 'Grace');
    await commentOnLine9(ada, 'Original');
    await grace.findByText('Original', {}, { timeout: 20_000 });
    await userEvent.click(ada.getByRole('button', { name: /^Edit comment by ada/ }));
    await userEvent.click(grace.getByRole('button', { name: /^Edit comment by ada/ }));
    const adaEditor = ada.getByLabelText('Edit comment by ada');
    const graceEditor = grace.getByLabelText('Edit comment by ada');
    await userEvent.clear(adaEditor);
    await userEvent.type(adaEditor, 'Ada’s version');
    await userEvent.clear(graceEditor);
    await userEvent.type(graceEditor, 'Grace’s version');
    await userEvent.click(ada.getByRole('button', { name: 'Save' }));
    await userEvent.click(grace.getByRole('button', { name: 'Save' }));
    await waitFor(
      () => {
        const a = ada.queryByText(/’s version$/)?.textContent;
        const g = grace.queryByText(/’s version$/)?.textContent;
        expect(a).toBeTruthy();
        expect(a).toBe(g);
      },
      { timeout: 20_000 },
    );
  },
};
