import type { Meta, StoryObj } from '@storybook/react-vite';
import { http, HttpResponse } from 'msw';
import { expect, userEvent, within } from 'storybook/test';
import { SyncStatusBadge } from '../src/components/index.js';
import type { KalphiteOptions } from '../src/engine/index.js';
import { useKalphiteInstance } from '../src/react/index.js';
import { createMockSyncServer } from '../mocks/index.js';
import { LiveEngine } from './support/live-engine.js';

function Write() {
  const { store } = useKalphiteInstance();
  return (
    <button type="button" onClick={() => store.entities.set(`n${store.entities.size}`, { id: `n${store.entities.size}`, type: 'note', data: { text: 'hello' }, updatedAt: Date.now() })}>
      Write something
    </button>
  );
}

const offlineFetch: typeof fetch = async () => {
  throw new TypeError('Failed to fetch');
};

type Mode = 'online' | 'offline' | 'server-error' | 'local';

function options(mode: Mode): KalphiteOptions {
  const fast = { flushDelayMs: 0, pushDelayMs: 0, syncRetry: { baseMs: 500, maxMs: 5000 } };
  if (mode === 'local') return {};
  if (mode === 'offline') return { ...fast, syncUrl: '/api/sync', fetch: offlineFetch, environment: { isOnline: () => false } };
  return { ...fast, syncUrl: '/api/sync' };
}

function SyncStatusStory({ mode }: { readonly mode: Mode }) {
  return (
    <LiveEngine options={options(mode)}>
      <p>
        <SyncStatusBadge />
      </p>
      <Write />
    </LiveEngine>
  );
}

const meta = {
  title: 'Components/Sync status',
  component: SyncStatusStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { SyncStatusBadge },
  args: { mode: 'online' },
  argTypes: { mode: { control: 'inline-radio', options: ['online', 'offline', 'server-error', 'local'] } },
} satisfies Meta<typeof SyncStatusStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const badge = async (canvasElement: HTMLElement) => within(canvasElement).findByText((_, el) => el?.classList.contains('kalphite-badge') ?? false, {}, { timeout: 30_000 });

/** Synced through the real server core behind MSW: a write shows as unsynced, then synced. */
export const Online: Story = {
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const status = await badge(canvasElement);
    await expect(await within(status).findByText('All changes synced', {}, { timeout: 20_000 })).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Write something' }));
    await expect(await within(status).findByText(/synced \w/, {}, { timeout: 20_000 })).toBeInTheDocument();
    await expect(await within(status).findByText('All changes synced', {}, { timeout: 20_000 })).toBeInTheDocument();
    // Never two phrases that disagree ("Syncing… All changes synced"): a routine pull is no news.
    await userEvent.click(canvas.getByRole('button', { name: 'Write something' }));
    await expect(await within(status).findByText('All changes synced', {}, { timeout: 20_000 })).toBeInTheDocument();
    await expect(within(status).queryByText('Syncing…')).toBeNull();
  },
};

/** No network: writes stay in the local db and are counted as unsynced. */
export const Offline: Story = {
  args: { mode: 'offline' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const status = await badge(canvasElement);
    await expect(within(status).getByText('Offline')).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Write something' }));
    await expect(await within(status).findByText('1 unsynced', {}, { timeout: 20_000 })).toBeInTheDocument();
  },
};

/** The server answers 503: the badge says it is retrying, and the write waits in the outbox. */
export const ServerError: Story = {
  args: { mode: 'server-error' },
  parameters: {
    msw: { handlers: [http.all('*/api/sync/:route', () => HttpResponse.json({ error: 'internal', message: 'Database is down for maintenance.' }, { status: 503 }))] },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const status = await badge(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Write something' }));
    await expect(await within(status).findByText('1 unsynced', {}, { timeout: 20_000 })).toBeInTheDocument();
    await expect(await within(status).findByText('Retrying: server error', {}, { timeout: 20_000 })).toBeInTheDocument();
  },
};

/** Without a sync URL the engine is local only. */
export const LocalOnly: Story = {
  args: { mode: 'local' },
  play: async ({ canvasElement }) => {
    await expect(await within(await badge(canvasElement)).findByText('Local only')).toBeInTheDocument();
  },
};
