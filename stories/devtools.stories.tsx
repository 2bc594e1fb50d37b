import type { Meta, StoryObj } from '@storybook/react-vite';
import { http, HttpResponse } from 'msw';
import { useEffect, useMemo, useRef } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createDevtoolsUiStore, createFaultInjector, KalphiteDevtoolsPanel, type DevtoolsTab } from '../src/devtools/production.js';
import type { KalphiteOptions } from '../src/engine/index.js';
import { useKalphiteInstance } from '../src/react/index.js';
import { createMockSyncServer } from '../mocks/index.js';
import { LiveEngine } from './support/live-engine.js';
import { seedManyComments, seedReview } from './support/sample-data.js';

/**
 * Buttons standing in for the app: each press writes one new note (note-1, note-2, …); with
 * `largeBytes`, a second button writes a note of about that many bytes (large-1, …).
 */
function Write({ largeBytes }: { largeBytes?: number | undefined }) {
  const { store } = useKalphiteInstance();
  const count = useRef(0);
  const large = useRef(0);
  const write = () => {
    const id = `note-${++count.current}`;
    store.entities.set(id, { id, type: 'note', data: { text: 'from the app' }, updatedAt: Date.now() });
  };
  const writeLarge = () => {
    const id = `large-${++large.current}`;
    store.entities.set(id, { id, type: 'note', data: { text: 'x'.repeat(largeBytes ?? 0) }, updatedAt: Date.now() });
  };
  return (
    <div style={{ display: 'flex', gap: 8, marginBottom: 8 }}>
      <button type="button" onClick={write}>
        Write in the app
      </button>
      {largeBytes !== undefined && (
        <button type="button" onClick={writeLarge}>
          Write a large note
        </button>
      )}
    </div>
  );
}

/** Writes a note every 10 ms while mounted: 100 writes (and several hundred events) a second. */
function BusyWriter() {
  const { store } = useKalphiteInstance();
  useEffect(() => {
    let n = 0;
    const timer = setInterval(() => {
      const id = `busy-${n++ % 500}`;
      store.entities.set(id, { id, type: 'note', data: { n }, updatedAt: Date.now() });
    }, 10);
    return () => clearInterval(timer);
  }, [store]);
  return <p>Writing 100 notes a second.</p>;
}

type Seed = 'none' | 'review' | 'large';

interface DevtoolsStoryProps {
  readonly seed: Seed;
  readonly sync: boolean;
  /** Wrap the engine's fetch in a fault injector (adds the Faults tab). */
  readonly faults?: boolean;
  readonly busy?: boolean;
  /** The tab the panel opens on. */
  readonly tab?: DevtoolsTab;
  /** Adds a "Write a large note" button writing a note of about this many bytes. */
  readonly largeNoteBytes?: number;
  readonly theme?: 'light' | 'dark';
}

// Each story starts from its own UI state: a remembered tab from another story would change what it shows.
const noStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} };

function DevtoolsStory({ seed, sync, faults, busy, tab = 'memory', largeNoteBytes, theme = 'light' }: DevtoolsStoryProps) {
  const injector = useMemo(() => (faults ? createFaultInjector() : undefined), [faults]);
  const ui = useMemo(() => {
    const store = createDevtoolsUiStore(noStorage);
    store.getState().set({ tab });
    return store;
  }, [tab]);
  const options: KalphiteOptions = {
    // Seeded writes wait for "Flush now" unless the story needs the engine's own pace.
    flushDelayMs: faults ? 0 : busy ? 100 : 60_000,
    flushMaxWaitMs: 120_000,
    ...(sync && { syncUrl: '/api/sync', pushDelayMs: 0, syncRetry: { baseMs: 200, maxMs: 2000 } }),
    ...(injector && { fetch: injector.fetch }),
  };
  const seedData = (store: Parameters<typeof seedReview>[0]) => (seed === 'large' ? seedManyComments(store, 10_000) : seed === 'review' ? seedReview(store) : undefined);
  return (
    <div data-kalphite-theme={theme} style={{ background: theme === 'dark' ? '#0d1117' : undefined, padding: 8 }}>
      <LiveEngine options={options} onReady={(k) => seedData(k.store)}>
        {(kalphite) => (
          <>
            <Write largeBytes={largeNoteBytes} />
            {busy && <BusyWriter />}
            <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} {...(injector && { faults: injector })} />
          </>
        )}
      </LiveEngine>
    </div>
  );
}

const meta = {
  title: 'Devtools/Panel',
  component: DevtoolsStory,
  args: { seed: 'review', sync: true },
  argTypes: {
    seed: { control: 'inline-radio', options: ['none', 'review', 'large'] },
    tab: { control: 'select', options: ['memory', 'flushes', 'changes', 'sync', 'durability', 'events', 'faults'] },
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
    await userEvent.click(devtools.getByRole('tab', { name: 'Change log' }));
    await expect(await devtools.findByText('No local changes in the local db yet.')).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('tab', { name: 'Sync' }));
    await expect(devtools.getByText('This engine has no syncUrl: it is local only.')).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('tab', { name: 'Durability' }));
    await expect(devtools.getByText('No local writes since the panel opened.')).toBeInTheDocument();
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
    await userEvent.click(devtools.getByRole('tab', { name: 'Durability' }));
    const writes = devtools.getByRole('table', { name: 'Recent writes' });
    await expect(within(writes).getByText('note-1')).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('button', { name: 'Resume sync' }));
    await waitFor(() => expect(header(devtools, 'Unacknowledged writes')).toBe('0 unacknowledged'), SLOW);
    await expect(header(devtools, 'Data at risk')).toBe('nothing at risk');
    const row = within(writes).getByText('note-1').closest('tr')!;
    await waitFor(() => expect(row.querySelectorAll('td')[4]?.textContent).toMatch(/^\+\d+ ms$/), SLOW);
    await userEvent.click(devtools.getByRole('tab', { name: 'Sync' }));
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
    await userEvent.click(devtools.getByRole('tab', { name: 'Events' }));
    await expect(await devtools.findByText(/^local \(devtools\): 1 change$/)).toBeInTheDocument();
    await userEvent.click(devtools.getByRole('tab', { name: 'Change log' }));
    await userEvent.type(devtools.getByLabelText('Filter changes'), 'comment-1');
    await expect(await devtools.findByText('2 of 6 changes · 6 not acknowledged', {}, SLOW)).toBeInTheDocument();
    // Newest first: the edit, then the seeded create.
    const [edit] = devtools.getAllByRole('button', { name: /^#\d+ upsert comment-1$/ });
    await userEvent.click(edit!);
    const diff = devtools.getByRole('list', { name: 'Diff' });
    await expect(diff).toHaveTextContent('data.message changed: "Why a private field here?" "Edited in the devtools"');
    await expect(diff).toHaveTextContent('data.resolved changed: false true');
    await expect(diff.children).toHaveLength(2);
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
    await expect(within(change).getByRole('list', { name: 'Diff' })).toHaveTextContent('data.title added: "Memory-first store"');
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
  play: async ({ canvasElement }) => {
    const devtools = await panel(canvasElement);
    await waitFor(() => expect(Number(header(devtools, 'Entities in memory')?.split(' ')[0])).toBeGreaterThan(100), SLOW);
    const events = devtools.getByRole('list', { name: 'Events' });
    // More events than rows: only a screenful is in the DOM. How many arrive depends on the machine
    // (a test runner's hidden frame gets its timers throttled), so ask for a few screenfuls only.
    await waitFor(() => expect(Number(events.firstElementChild?.getAttribute('aria-setsize'))).toBeGreaterThanOrEqual(60), SLOW);
    await expect(events.children.length).toBeLessThan(40);
    // Still responsive to input while the stream runs.
    await userEvent.click(devtools.getByRole('tab', { name: 'Flushes' }));
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
    await userEvent.click(devtools.getByRole('tab', { name: 'Change log' }));
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
    await userEvent.click(devtools.getByRole('tab', { name: 'Events' }));
    await expect(devtools.getByText(/^new client, 0 changes dropped$/)).toBeInTheDocument();
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
