import type { Meta, StoryObj } from '@storybook/react-vite';
import { http, HttpResponse } from 'msw';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createMockSyncServer } from '../mocks/index.js';
import { DevtoolsStory } from './support/devtools-story.js';
import { showView } from './support/devtools-views.js';
import { KalphiteDevtoolsPanel } from '../src/devtools/production.js';

const meta = {
  title: 'Devtools/Panel',
  component: DevtoolsStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { KalphiteDevtoolsPanel },
  args: { seed: 'review', sync: true },
  argTypes: {
    seed: { control: 'inline-radio', options: ['none', 'review', 'large'] },
    tab: { control: 'select', options: ['memory', 'flushes', 'changes', 'sync', 'spaces', 'durability', 'divergence', 'overwritten', 'events', 'faults'] },
    theme: { control: 'inline-radio', options: ['light', 'dark'] },
  },
} satisfies Meta<typeof DevtoolsStory>;

export default meta;
type Story = StoryObj<typeof meta>;

// Engines open an in-memory PGlite per story and CI machines are slow: wait generously, never sleep.
// The first story opens PGlite on a cold browser (wasm compile, initdb): 35–50 s on a loaded 2-core machine.
const SLOW = { timeout: 50_000 };
const panel = async (canvasElement: HTMLElement) => within(await within(canvasElement).findByRole('region', { name: 'Kalphite devtools' }, SLOW));
const header = (devtools: ReturnType<typeof within>, label: string) => devtools.getByLabelText(label).textContent;

/** A local-only engine with nothing in it: every tab says so instead of showing an empty box. */
export const Empty: Story = {
  args: { seed: 'none', sync: false },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await expect(header(devtools, 'Entities in memory')).toBe('0 entities');
    await expect(header(devtools, 'Data at risk')).toBe('nothing at risk');
    await expect(devtools.getByText('No entities in memory.')).toBeInTheDocument();
    await showView(devtools, 'Change log');
    await expect(await devtools.findByText('No local changes in the local db yet.')).toBeInTheDocument();
    await showView(devtools, 'Sync');
    await expect(devtools.getByText('This engine has no syncUrl: it is local only.')).toBeInTheDocument();
    await showView(devtools, 'Durability');
    await expect(devtools.getByText('No local writes since the panel opened.')).toBeInTheDocument();
    await showView(devtools, 'Divergence');
    await expect(devtools.getByText('This engine has no syncUrl: there is no server to compare memory with.')).toBeInTheDocument();
  },
};

/** "Flush now" empties the pending list; pausing sync leaves a write unacknowledged until resumed. */
export const FlushAndSync: Story = {
  args: { tab: 'flushes' },
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    await waitFor(() => expect(header(devtools, 'Pending flushes')).toBe('5 pending flush'), SLOW);
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await expect(await devtools.findByText('Nothing pending.', {}, SLOW)).toBeInTheDocument();
    // The seeded writes are pushed and acknowledged first, so the count below is the paused write alone.
    await waitFor(() => expect(header(devtools, 'Unacknowledged writes')).toBe('0 unacknowledged'), SLOW);
    await userEvent.click(devtools.getByRole('button', { name: 'Pause sync' }));
    await expect(await devtools.findByRole('button', { name: 'Resume sync' })).toHaveAttribute('aria-pressed', 'true');
    await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await waitFor(() => expect(header(devtools, 'Unacknowledged writes')).toBe('1 unacknowledged'), SLOW);
    await expect(header(devtools, 'Data at risk')).toBe('at risk: 0 not on disk, 1 not on the server');
    // Paused with a write waiting: data at risk, and the meter says why.
    await expect(devtools.getByText('sync is paused')).toBeInTheDocument();
    await showView(devtools, 'Durability');
    const lanes = devtools.getByRole('list', { name: 'Write timeline' });
    const lane = () => within(lanes).getByText('note-1').closest('li')!;
    await expect(lane()).toHaveTextContent(/local db \+\d+ ms \(#\d+\) · waiting [\d.]+ (ms|s) in the local db/);
    await userEvent.click(devtools.getByRole('button', { name: 'Resume sync' }));
    await waitFor(() => expect(header(devtools, 'Unacknowledged writes')).toBe('0 unacknowledged'), SLOW);
    await expect(header(devtools, 'Data at risk')).toBe('nothing at risk');
    await waitFor(() => expect(lane()).toHaveTextContent(/acknowledged \+[\d.]+ (ms|s)$/), SLOW);
    await showView(devtools, 'Sync');
    await expect(await devtools.findByText(/^push #\d+: 1 mutations/, {}, SLOW)).toBeInTheDocument();
  },
};

/** Edit an entity's JSON in Memory: bad JSON is refused with a message; a good edit is a tagged write with a diff in the change log. */
export const EditEntity: Story = {
  args: { sync: false },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    // Persist the seeded data first, so the edit below is an update with a "before" on disk.
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await waitFor(() => expect(header(devtools, 'Data at risk')).toBe('nothing at risk'), SLOW);
    // Grouped by type: choose one to see only its entities.
    await userEvent.selectOptions(devtools.getByLabelText('Type'), 'review (2)');
    await expect(devtools.getByText('2 of 5 shown')).toBeInTheDocument();
    await expect(within(devtools.getByRole('list', { name: 'Entities' })).getAllByRole('button').map((b) => b.textContent)).toEqual(['review-1', 'review-2']);
    await userEvent.selectOptions(devtools.getByLabelText('Type'), 'every type (5)');
    await userEvent.click(await devtools.findByRole('button', { name: 'comment-1' }, SLOW));
    const original = JSON.parse(devtools.getByLabelText('JSON of comment-1').textContent!) as { data: Record<string, unknown> };
    await userEvent.click(devtools.getByRole('button', { name: 'Edit comment-1' }));
    const editor = devtools.getByLabelText('JSON of comment-1');
    await userEvent.clear(editor);
    await userEvent.type(editor, '{{ not json');
    await userEvent.click(devtools.getByRole('button', { name: 'Save comment-1' }));
    await expect(await devtools.findByRole('alert')).toHaveTextContent(/^Not saved:/);
    await expect(editor).toHaveAttribute('aria-invalid', 'true');
    await userEvent.clear(editor);
    // user-event reads { and [ as key names when typing: paste the JSON instead.
    editor.focus();
    await userEvent.paste(JSON.stringify({ ...original, data: { ...original.data, message: 'Edited in the devtools', resolved: true } }));
    await userEvent.click(devtools.getByRole('button', { name: 'Save comment-1' }));
    await expect(await devtools.findByLabelText('JSON of comment-1')).toHaveTextContent('Edited in the devtools');
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await showView(devtools, 'Events');
    await expect(await devtools.findByText(/^local \(devtools\): 1 change$/)).toBeInTheDocument();
    await showView(devtools, 'Change log');
    await userEvent.type(devtools.getByLabelText('Filter changes'), 'comment-1');
    await expect(await devtools.findByText('2 of 6 changes · 6 not acknowledged', {}, SLOW)).toBeInTheDocument();
    // Newest first: the edit (a patch of the fields it changed), then the seeded create.
    const [edit] = devtools.getAllByRole('button', { name: /^#\d+ (upsert|patch) comment-1$/ });
    await userEvent.click(edit!);
    // Side by side: the old lines struck on the left, the new ones beside them; the rest folded.
    await expect(devtools.getByText('2 lines removed, 2 added')).toBeInTheDocument();
    const diff = devtools.getByRole('table', { name: 'Diff' });
    const changed = [...diff.querySelectorAll('tr[data-kind="change"]')].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()));
    await expect(changed).toEqual([
      ['6', '"message": "Why a private field here?",', '6', '"message": "Edited in the devtools",'],
      ['7', '"resolved": false', '7', '"resolved": true'],
    ]);
    await expect(within(diff).getAllByRole('deletion').map((d) => d.textContent)).toContain('false');
    await expect(within(diff).getAllByRole('insertion').map((d) => d.textContent)).toContain('true');
  },
};

/** The change log lists the seeded writes once flushed, acknowledged once synced, each with a diff. */
export const ChangeLog: Story = {
  args: { tab: 'changes' },
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await expect(await devtools.findByText('No local changes in the local db yet.', {}, SLOW)).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await expect(await devtools.findByText(/^5 of 5 changes/, {}, SLOW)).toBeInTheDocument();
    await expect(await devtools.findByText('5 of 5 changes · 0 not acknowledged', {}, SLOW)).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('button', { name: '#1 upsert review-1' }));
    const change = devtools.getByRole('region', { name: 'Change #1' });
    await expect(change).toHaveTextContent('created at');
    await expect(change).toHaveTextContent('acknowledged by the server');
    // A create: nothing on the left, every line added on the right.
    const diff = within(change).getByRole('table', { name: 'Diff' });
    await expect(diff).toHaveTextContent('"title": "Memory-first store"');
    await expect(diff.querySelectorAll('.kalphite-devtools-sbs-empty').length).toBe(diff.querySelectorAll('tr[data-kind="change"]').length);
    await userEvent.type(devtools.getByLabelText('Filter changes'), 'review');
    await expect(devtools.getByText('2 of 5 changes · 0 not acknowledged')).toBeInTheDocument();
  },
};

/** Memory: 10,000 entities render as a window of rows; search, open one as JSON, delete it through the store. */
export const TenThousandEntities: Story = {
  args: { seed: 'large', sync: false },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await expect(header(devtools, 'Entities in memory')).toBe('10,000 entities');
    const list = devtools.getByRole('list', { name: 'Entities' });
    // Virtualised: a screenful of rows in the DOM, each telling assistive tech its place among 10,000.
    await expect(list.children.length).toBeLessThan(40);
    await expect(list.firstElementChild).toHaveAttribute('aria-setsize', '10000');
    await userEvent.type(devtools.getByLabelText('Search entities'), 'bulk-9999');
    await userEvent.click(await devtools.findByRole('button', { name: 'bulk-9999' }));
    await expect(devtools.getByLabelText('JSON of bulk-9999').textContent).toContain('"Bulk comment 9999"');
    await userEvent.click(devtools.getByRole('button', { name: 'Delete bulk-9999' }));
    await waitFor(() => expect(header(devtools, 'Entities in memory')).toBe('9,999 entities'));
  },
};

/** 100 writes a second: the panel keeps up (one render per frame) and lists stay a screenful of rows. */
export const Busy: Story = {
  args: { seed: 'none', sync: false, busy: true, tab: 'events' },
  // 100 writes a second: every frame's counts differ, so there is no picture to hold still.
  parameters: { visual: { disable: true } },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await waitFor(() => expect(Number(header(devtools, 'Entities in memory')?.split(' ')[0])).toBeGreaterThan(100), SLOW);
    const events = devtools.getByRole('list', { name: 'Events' });
    // More events than rows: only a screenful is in the DOM. How many arrive depends on the machine
    // (a test runner's hidden frame gets its timers throttled), so ask for a few screenfuls only.
    await waitFor(() => expect(Number(events.firstElementChild?.getAttribute('aria-setsize'))).toBeGreaterThanOrEqual(60), SLOW);
    await expect(events.children.length).toBeLessThan(40);
    // The sparkline counts the writes of each second beyond the event history.
    await waitFor(() => expect(devtools.getByRole('img', { name: /^Writes and flushes per second/ }).getAttribute('aria-label')).toMatch(/peaks [1-9]\d* writes/), SLOW);
    // Still responsive to input while the stream runs.
    await showView(devtools, 'Flushes');
    await expect(await devtools.findByRole('list', { name: 'Recent batches' })).toBeInTheDocument();
  },
};

/** Go offline: a write is at risk and pushes fail; back online it is acknowledged. */
export const Offline: Story = {
  args: { seed: 'none', tab: 'sync' },
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    await userEvent.click(devtools.getByRole('button', { name: 'Go offline' }));
    await expect(await devtools.findByRole('button', { name: 'Go online' })).toHaveAttribute('aria-pressed', 'true');
    await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await waitFor(() => expect(header(devtools, 'Data at risk')).toBe('at risk: 0 not on disk, 1 not on the server'), SLOW);
    await userEvent.click(devtools.getByRole('button', { name: 'Push now' }));
    // The background push after the flush fails too: at least one failure is listed.
    await expect((await devtools.findAllByText(/^push #\d+ failed: Could not reach the sync server: offline/, {}, SLOW)).length).toBeGreaterThan(0);
    await expect(devtools.getByText('offline')).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('button', { name: 'Go online' }));
    await waitFor(() => expect(header(devtools, 'Data at risk')).toBe('nothing at risk'), SLOW);
    await expect(devtools.getByText('online')).toBeInTheDocument();
  },
};

/** The server answers 503: the failure, its retry countdown and the last error are on show; nothing is dropped. */
export const Failing: Story = {
  args: { seed: 'review', tab: 'sync' },
  parameters: {
    msw: { handlers: [http.all('*/api/sync/:route', () => HttpResponse.json({ error: 'internal', message: 'Database is down for maintenance.' }, { status: 503 }))] },
  },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await expect((await devtools.findAllByText(/^push #\d+ failed: .*503.*\(retry in \d+ ms\)$/, {}, SLOW)).length).toBeGreaterThan(0);
    await expect(devtools.getByRole('alert')).toHaveTextContent('Last error (server-error)');
    await expect(header(devtools, 'Unacknowledged writes')).toBe('5 unacknowledged');
    await expect(header(devtools, 'Data at risk')).toBe('at risk: 0 not on disk, 5 not on the server');
  },
};

/**
 * A note too large for the server (it takes 4 KiB bodies): the push is refused with a 413 that no
 * retry can fix, so pushing stops and the panel says so above the tabs. Re-send is refused again;
 * dropping the change (after a confirmation) gives it up: the server acknowledges a discard, the
 * note the server never had leaves memory, and nothing is at risk any more.
 */
export const PushBlocked: Story = {
  args: { seed: 'none', tab: 'sync', largeNoteBytes: 8 * 1024 },
  parameters: { msw: { handlers: createMockSyncServer({ maxBodyBytes: 4096 }).handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Write a large note' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    const notice = await devtools.findByRole('region', { name: 'Pushing stopped' }, SLOW);
    await expect(within(notice).getByRole('alert')).toHaveTextContent(
      'Pushing stopped: the server refused a change too large for it (HTTP 413). 1 change waits in the outbox; retrying by itself cannot help.',
    );
    await expect(header(devtools, 'Data at risk')).toBe('at risk: 0 not on disk, 1 not on the server');
    // Said once, in the notice: not again as the last error below it.
    await expect(devtools.getAllByRole('alert')).toHaveLength(1);
    const stopped = () => devtools.queryAllByText(/^push #\d+ failed: .*413.*\(stopped: retrying cannot fix it\)$/).length;
    await waitFor(() => expect(stopped()).toBe(1), SLOW);
    // Re-send: the same push is refused again, and the notice (never gone meanwhile) stays.
    await userEvent.click(within(notice).getByRole('button', { name: 'Re-send' }));
    await waitFor(() => expect(stopped()).toBe(2), SLOW);
    await waitFor(() => expect(within(notice).queryByRole('status')).toBeNull(), SLOW);
    await expect(devtools.getByRole('region', { name: 'Pushing stopped' })).toBe(notice);
    // Drop asks first; Cancel leaves everything as it was.
    await userEvent.click(within(notice).getByRole('button', { name: 'Drop 1 change…' }));
    const confirm = within(notice).getByRole('alertdialog', { name: 'Drop the refused changes' });
    await expect(confirm).toHaveTextContent('Give up 1 change the server refused?');
    await userEvent.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await expect(within(notice).queryByRole('alertdialog')).toBeNull();
    await expect(within(notice).getByRole('button', { name: 'Drop 1 change…' })).toHaveFocus();
    await userEvent.click(within(notice).getByRole('button', { name: 'Drop 1 change…' }));
    await userEvent.click(within(notice).getByRole('button', { name: 'Drop' }));
    await waitFor(() => expect(devtools.queryByRole('region', { name: 'Pushing stopped' })).toBeNull(), SLOW);
    await waitFor(() => expect(header(devtools, 'Data at risk')).toBe('nothing at risk'), SLOW);
    // The server never had the note: its create is undone in memory.
    await waitFor(() => expect(header(devtools, 'Entities in memory')).toBe('0 entities'), SLOW);
    await expect(await devtools.findByText('refused #1: The client discarded this write.', {}, SLOW)).toBeInTheDocument();
    await showView(devtools, 'Change log');
    await userEvent.click(await devtools.findByRole('button', { name: '#1 discard large-1' }, SLOW));
    await expect(devtools.getByRole('region', { name: 'Change #1' })).toHaveTextContent('given up: the server acknowledged it without applying it');
    // Later writes flow again.
    await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await expect(await devtools.findByText(/^2 of 2 changes/, {}, SLOW)).toBeInTheDocument();
    await waitFor(() => expect(header(devtools, 'Unacknowledged writes')).toBe('0 unacknowledged'), SLOW);
  },
};

/** Reset asks first; confirmed, the engine starts again as a new client and pulls the server's data back. */
export const ResetLocalDb: Story = {
  args: { tab: 'sync' },
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await waitFor(() => expect(header(devtools, 'Data at risk')).toBe('nothing at risk'), SLOW);
    const client = devtools.getByText('Client').nextElementSibling!.textContent;
    await userEvent.click(devtools.getByRole('button', { name: 'Reset local db…' }));
    const dialog = devtools.getByRole('alertdialog', { name: 'Reset the local database' });
    await expect(dialog).toHaveTextContent('Every write is on the server.');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await expect(devtools.queryByRole('alertdialog')).toBeNull();
    await userEvent.click(devtools.getByRole('button', { name: 'Reset local db…' }));
    await userEvent.click(within(devtools.getByRole('alertdialog')).getByRole('button', { name: 'Reset' }));
    await waitFor(() => expect(devtools.getByText('Client').nextElementSibling!.textContent).not.toBe(client), SLOW);
    // The five entities come back from the server under the new client.
    await waitFor(() => expect(header(devtools, 'Entities in memory')).toBe('5 entities'), SLOW);
    await showView(devtools, 'Events');
    await expect(devtools.getByText(/^new client, 0 changes dropped$/)).toBeInTheDocument();
  },
};

/** In a panel wide enough for them, the views are tabs, and they work from the keyboard. */
export const KeyboardTabs: Story = {
  args: { sync: false, width: 1100 },
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

/** In a panel 340 px wide the views are a menu: it opens from the keyboard, moves with the arrows, chooses with Enter, closes with Escape. */
export const KeyboardMenu: Story = {
  args: { sync: false, width: 340 },
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await expect(devtools.queryByRole('tablist')).toBeNull();
    const button = devtools.getByRole('button', { name: 'View Memory' });
    await expect(button).toHaveAttribute('aria-expanded', 'false');
    button.focus();
    await userEvent.keyboard('{ArrowDown}');
    const menu = devtools.getByRole('menu', { name: 'Devtools views' });
    await expect(within(menu).getByRole('menuitemradio', { name: 'Memory' })).toHaveFocus();
    await expect(within(menu).getByRole('menuitemradio', { name: 'Memory' })).toHaveAttribute('aria-checked', 'true');
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    await expect(devtools.queryByRole('menu')).toBeNull();
    await expect(devtools.getByRole('button', { name: 'View Change log' })).toHaveFocus();
    await expect(devtools.getByRole('region', { name: 'Change log view' })).toBeInTheDocument();
    await userEvent.keyboard('{ArrowUp}');
    await expect(within(devtools.getByRole('menu')).getByRole('menuitemradio', { name: 'Change log' })).toHaveFocus();
    await userEvent.keyboard('{End}');
    await expect(within(devtools.getByRole('menu')).getByRole('menuitemradio', { name: 'Events' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    await expect(devtools.queryByRole('menu')).toBeNull();
    await expect(devtools.getByRole('button', { name: 'View Change log' })).toHaveFocus();
  },
};

/** Drop half the responses and send pushes twice while writing; clear the faults; nothing was lost. */
export const FaultsThenVerify: Story = {
  args: { faults: true, tab: 'faults' },
  // A server of its own: the count below is this story's entities only.
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = await panel(canvasElement);
    await userEvent.clear(devtools.getByLabelText('Drop responses (%)'));
    await userEvent.type(devtools.getByLabelText('Drop responses (%)'), '50');
    await userEvent.click(devtools.getByLabelText('Send every push twice'));
    await userEvent.click(devtools.getByRole('button', { name: 'Fail the next 3 requests' }));
    for (let i = 0; i < 5; i++) await userEvent.click(canvas.getByRole('button', { name: 'Write in the app' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Clear faults' }));
    await userEvent.click(devtools.getByRole('button', { name: 'Verify nothing was lost' }));
    await expect(await devtools.findByText(/^Nothing lost: memory equals the server \(10 entities\)/, {}, SLOW)).toBeInTheDocument();
  },
};
