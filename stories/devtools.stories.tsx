import type { Meta, StoryObj } from '@storybook/react-vite';
import { useMemo } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createFaultInjector, KalphiteDevtoolsPanel } from '../src/devtools/production.js';
import type { KalphiteOptions } from '../src/engine/index.js';
import { useKalphiteInstance } from '../src/react/index.js';
import { createMockSyncServer } from '../mocks/index.js';
import { LiveEngine } from './support/live-engine.js';
import { seedManyComments, seedReview } from './support/sample-data.js';

function Write() {
  const { store } = useKalphiteInstance();
  return (
    <button type="button" onClick={() => store.entities.set(`note-${store.entities.size}`, { id: `note-${store.entities.size}`, type: 'note', data: { text: 'from the app' }, updatedAt: Date.now() })}>
      Write in the app
    </button>
  );
}

function DevtoolsStory({ seed, sync, faults }: { readonly seed: 'review' | 'large'; readonly sync: boolean; readonly faults?: boolean }) {
  const injector = useMemo(() => (faults ? createFaultInjector() : undefined), [faults]);
  const options: KalphiteOptions = {
    flushDelayMs: faults ? 0 : 60_000,
    flushMaxWaitMs: 120_000,
    ...(sync && { syncUrl: '/api/sync', pushDelayMs: 0, syncRetry: { baseMs: 100, maxMs: 1000 } }),
    ...(injector && { fetch: injector.fetch }),
  };
  return (
    <LiveEngine options={options} onReady={(k) => (seed === 'large' ? seedManyComments(k.store, 10_000) : seedReview(k.store))}>
      {(kalphite) => (
        <>
          <Write />
          <KalphiteDevtoolsPanel kalphite={kalphite} {...(injector && { faults: injector })} />
        </>
      )}
    </LiveEngine>
  );
}

const meta = {
  title: 'Devtools/Panel',
  component: DevtoolsStory,
  args: { seed: 'review', sync: true },
} satisfies Meta<typeof DevtoolsStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const panel = async (canvasElement: HTMLElement) => within(await within(canvasElement).findByRole('region', { name: 'Kalphite devtools' }, { timeout: 30_000 }));

/** "Flush now" empties the pending list; pausing sync leaves a write unacknowledged until resumed. */
export const FlushAndSync: Story = {
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    await userEvent.click(devtools.getByRole('tab', { name: 'Flushes' }));
    await waitFor(() => expect(devtools.getByLabelText('Pending flushes').textContent).toBe('5 pending flush'));
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await expect(await devtools.findByText('Nothing pending.')).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('button', { name: 'Pause sync' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await waitFor(() => expect(devtools.getByLabelText('Unacknowledged writes').textContent).toBe('1 unacknowledged'), { timeout: 10_000 });
    await expect(devtools.getByLabelText('Data at risk').textContent).toBe('at risk: 0 not on disk, 1 not on the server');
    await userEvent.click(devtools.getByRole('tab', { name: 'Durability' }));
    const writes = devtools.getByRole('table', { name: 'Recent writes' });
    await expect(within(writes).getByText('note-5')).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('button', { name: 'Resume sync' }));
    await waitFor(() => expect(devtools.getByLabelText('Unacknowledged writes').textContent).toBe('0 unacknowledged'), { timeout: 20_000 });
    await expect(devtools.getByLabelText('Data at risk').textContent).toBe('nothing at risk');
    const row = within(writes).getByText('note-5').closest('tr')!;
    await waitFor(() => expect(row.querySelectorAll('td')[4]?.textContent).toMatch(/^\+\d+ ms$/));
    await userEvent.click(devtools.getByRole('tab', { name: 'Sync' }));
    await expect(await devtools.findByText(/^push #\d+: 1 mutations/)).toBeInTheDocument();
  },
};

/** Memory: search 10,000 entities, open one as JSON, delete it through the store. */
export const TenThousandEntities: Story = {
  args: { seed: 'large', sync: false },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await expect(devtools.getByLabelText('Entities in memory').textContent).toBe('10,000 entities');
    // The open tab is remembered (localStorage), so choose Memory explicitly.
    await userEvent.click(devtools.getByRole('tab', { name: 'Memory' }));
    await userEvent.clear(devtools.getByLabelText('Search entities'));
    await userEvent.type(devtools.getByLabelText('Search entities'), 'bulk-9999');
    await userEvent.click(await devtools.findByRole('button', { name: 'bulk-9999' }));
    await expect(devtools.getByLabelText('JSON of bulk-9999').textContent).toContain('"Bulk comment 9999"');
    await userEvent.click(devtools.getByRole('button', { name: 'Delete bulk-9999' }));
    await waitFor(() => expect(devtools.getByLabelText('Entities in memory').textContent).toBe('9,999 entities'));
  },
};

/** Tabs work from the keyboard. */
export const KeyboardTabs: Story = {
  args: { sync: false },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    devtools.getByRole('tab', { name: 'Memory' }).focus();
    await userEvent.keyboard('{ArrowRight}');
    await expect(devtools.getByRole('tab', { name: 'Flushes' })).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{ArrowLeft}{ArrowLeft}');
    await expect(devtools.getByRole('tab', { name: 'Events' })).toHaveAttribute('aria-selected', 'true');
    await expect(devtools.getByRole('list', { name: 'Events' })).toBeInTheDocument();
  },
};

/** Drop half the responses and send pushes twice while writing; clear the faults; nothing was lost. */
export const FaultsThenVerify: Story = {
  args: { faults: true },
  // A server of its own: the count below is this story's entities only.
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    await userEvent.click(devtools.getByRole('tab', { name: 'Faults' }));
    await userEvent.clear(devtools.getByLabelText('Drop responses (%)'));
    await userEvent.type(devtools.getByLabelText('Drop responses (%)'), '50');
    await userEvent.click(devtools.getByLabelText('Send every push twice'));
    await userEvent.click(devtools.getByRole('button', { name: 'Fail the next 3 requests' }));
    for (let i = 0; i < 5; i++) await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Clear faults' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Verify nothing was lost' }));
    await expect(await devtools.findByText(/^Nothing lost: memory equals the server \(10 entities\)/, {}, { timeout: 30_000 })).toBeInTheDocument();
  },
};
