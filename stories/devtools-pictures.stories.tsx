import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createMockSyncServer } from '../mocks/index.js';
import { DevtoolsStory } from './support/devtools-story.js';
import { KalphiteDevtoolsPanel } from '../src/devtools/production.js';

/** The panel's pictures: the write timeline, the activity sparkline and the data-at-risk meter. */
const meta = {
  title: 'Devtools/Pictures',
  component: DevtoolsStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { KalphiteDevtoolsPanel },
  args: { seed: 'none', sync: true },
} satisfies Meta<typeof DevtoolsStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const SLOW = { timeout: 50_000 };
const panel = async (canvasElement: HTMLElement) => within(await within(canvasElement).findByRole('region', { name: 'Kalphite devtools' }, SLOW));

/**
 * One lane per write: three written, flushed and acknowledged (memory → local db → server →
 * acknowledged, with their times), then one written while sync is paused, still in the local db.
 */
export const Timeline: Story = {
  args: { tab: 'durability' },
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    for (let i = 0; i < 3; i++) await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    const lanes = devtools.getByRole('list', { name: 'Write timeline' });
    const lane = (id: string) => within(lanes).getByText(id).closest('li')!;
    for (const id of ['note-1', 'note-2', 'note-3']) await waitFor(() => expect(lane(id)).toHaveAttribute('data-done', 'true'), SLOW);
    await expect(lane('note-1')).toHaveTextContent(/local db \+[\d.]+ (ms|s) \(#1\) · server \+[\d.]+ (ms|s) · acknowledged \+[\d.]+ (ms|s)$/);
    await userEvent.click(devtools.getByRole('button', { name: 'Pause sync' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await waitFor(() => expect(lane('note-4')).toHaveTextContent(/\(#4\) · waiting [\d.]+ (ms|s) in the local db$/), SLOW);
    await expect(lane('note-4')).toHaveAttribute('data-done', 'false');
    // Newest first, and the stage a write is in now is drawn striped.
    await expect(within(lanes).getAllByRole('listitem').map((li) => li.querySelector('code')?.textContent)).toEqual(['note-4', 'note-3', 'note-2', 'note-1']);
    await expect(lane('note-4').querySelector('.kalphite-devtools-stage-now.kalphite-devtools-stage-disk')).not.toBeNull();
  },
};

/** A hundred writes a second, flushed each second: the sparkline draws both, the meter how many wait. */
export const Activity: Story = {
  args: { sync: false, busy: true, tab: 'flushes' },
  // 100 writes a second: every frame's counts differ, so there is no picture to hold still.
  parameters: { visual: { disable: true } },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    const sparkline = devtools.getByRole('img', { name: /^Writes and flushes per second/ });
    await waitFor(() => expect(sparkline.getAttribute('aria-label')).toMatch(/peaks [1-9]\d* writes and [1-9]\d* flushes a second/), SLOW);
    await expect(sparkline.querySelectorAll('rect').length).toBeGreaterThan(0);
    const meter = devtools.getByRole('meter', { name: 'Data at risk' });
    await waitFor(() => expect(Number(meter.getAttribute('aria-valuenow'))).toBeGreaterThan(0), SLOW);
    await expect(meter).toHaveAttribute('aria-valuetext', expect.stringMatching(/^at risk: \d+ not on disk$/));
  },
};

/** Sync paused: writes in the local db wait for the server (amber), one only in memory (red); the meter says why it is stuck. */
export const DataAtRisk: Story = {
  args: { seed: 'review', tab: 'sync', onReady: (k) => k.sync?.pause() },
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    const meter = devtools.getByRole('meter', { name: 'Data at risk' });
    await waitFor(() => expect(meter).toHaveAttribute('aria-valuetext', 'at risk: 1 not on disk, 6 not on the server: sync is paused'), SLOW);
    await expect(meter).toHaveAttribute('data-state', 'stuck');
    await expect(meter).toHaveAttribute('aria-valuenow', '6');
    await expect(meter).toHaveAttribute('aria-valuemax', '10');
    await expect(devtools.getByText('sync is paused')).toBeInTheDocument();
  },
};
