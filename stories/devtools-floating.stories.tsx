import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { createMockSyncServer } from '../mocks/index.js';
import { KalphiteDevtools, UI_STORAGE_KEY, type DevtoolsDock, type DevtoolsTab } from '../src/devtools/production.js';
import type { KalphiteOptions } from '../src/engine/index.js';
import { showView } from './support/devtools-views.js';
import { LiveEngine } from './support/live-engine.js';
import { seedReview } from './support/sample-data.js';

interface FloatingStoryProps {
  readonly buttonPosition: 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
  readonly initialDock: DevtoolsDock;
  /** Sync with the mock server (the story's MSW handlers); paused from the start with `paused`. */
  readonly sync?: boolean;
  readonly paused?: boolean;
  /** The host page's theme: `data-kalphite-theme` on the app's root (the devtools follow it); none by default. */
  readonly hostTheme?: 'light' | 'dark';
}

function FloatingStory({ buttonPosition, initialDock, sync = false, paused = false, hostTheme }: FloatingStoryProps) {
  const options: KalphiteOptions = sync ? { flushDelayMs: 0, syncUrl: '/api/sync', pushDelayMs: 0 } : { flushDelayMs: 60_000, flushMaxWaitMs: 120_000 };
  return (
    <LiveEngine
      options={options}
      onReady={(k) => {
        if (paused) k.sync?.pause();
        seedReview(k.store);
      }}
    >
      {(kalphite) => (
        <main data-kalphite-theme={hostTheme} style={{ minHeight: '100vh', padding: 16, boxSizing: 'border-box', ...(hostTheme === 'dark' && { background: '#0d1117', color: '#e6edf3' }) }}>
          <h1>An app with the devtools embedded</h1>
          <p>The toggle sits in a corner; the panel docks to an edge and remembers where.</p>
          <KalphiteDevtools kalphite={kalphite} buttonPosition={buttonPosition} initialDock={initialDock} />
        </main>
      )}
    </LiveEngine>
  );
}

/** Opens the panel from the first story render on: what a reload after opening it shows. */
const startOpen = (state: { dock: DevtoolsDock; size: number; tab: DevtoolsTab }) => () => {
  localStorage.setItem(UI_STORAGE_KEY, JSON.stringify({ state: { open: true, filter: '', ...state }, version: 0 }));
};

const meta = {
  title: 'Devtools/Floating',
  component: FloatingStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { KalphiteDevtools },
  args: { buttonPosition: 'bottom-right', initialDock: 'bottom' },
  argTypes: {
    buttonPosition: { control: 'select', options: ['bottom-right', 'bottom-left', 'top-right', 'top-left'] },
    initialDock: { control: 'inline-radio', options: ['bottom', 'right', 'left', 'top'] },
    hostTheme: { control: 'inline-radio', options: ['light', 'dark'] },
  },
  // On a docs page each story gets a frame of its own: the floating toggle and dock are fixed to the window.
  parameters: { layout: 'fullscreen', docs: { story: { inline: false, iframeHeight: 520 } } },
  // Every story starts closed and docked where its args say: forget what an earlier one remembered.
  beforeEach: () => localStorage.removeItem(UI_STORAGE_KEY),
} satisfies Meta<typeof FloatingStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const SLOW = { timeout: 50_000 };
const overlaps = (a: Element, b: Element) => {
  const [x, y] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
  return x.left < y.right && y.left < x.right && x.top < y.bottom && y.top < x.bottom;
};

/** Open the panel, dock it right, resize it from the keyboard; the choices are remembered; focus goes in and comes back. */
export const DockAndResize: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const toggle = await canvas.findByRole('button', { name: 'Kalphite devtools' }, SLOW);
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    // The panel body is a lazy chunk: it appears once loaded, with focus on its close button.
    await expect(await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW)).toBeInTheDocument();
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Close Kalphite devtools' })).toHaveFocus());
    const handle = canvas.getByRole('separator', { name: 'Resize Kalphite devtools' });
    await expect(handle).toHaveAttribute('aria-orientation', 'horizontal');
    await expect(handle).toHaveAttribute('aria-valuenow', '320');
    handle.focus();
    await userEvent.keyboard('{ArrowUp}{ArrowUp}');
    await expect(handle).toHaveAttribute('aria-valuenow', '352');
    await userEvent.selectOptions(canvas.getByLabelText('Dock'), 'right');
    const vertical = canvas.getByRole('separator', { name: 'Resize Kalphite devtools' });
    await expect(vertical).toHaveAttribute('aria-orientation', 'vertical');
    vertical.focus();
    await userEvent.keyboard('{ArrowLeft}');
    await expect(vertical).toHaveAttribute('aria-valuenow', '368');
    await waitFor(() => expect(JSON.parse(localStorage.getItem(UI_STORAGE_KEY)!).state).toMatchObject({ open: true, dock: 'right', size: 368 }));
    await userEvent.click(canvas.getByRole('button', { name: 'Close Kalphite devtools' }));
    await expect(canvas.queryByRole('region', { name: 'Kalphite devtools' })).toBeNull();
    await expect(canvas.getByRole('button', { name: 'Kalphite devtools' })).toHaveFocus();
  },
};

/**
 * Docked left, 320 px wide: the views are a menu (no grid of wrapping tabs), the dock choice and
 * the close button share the header without covering each other, ids are whole, the change log's
 * rows are two lines and its diff one column.
 */
export const DockedNarrow: Story = {
  args: { buttonPosition: 'top-left', initialDock: 'left' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Kalphite devtools' }, SLOW));
    const devtools = within(await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW));
    await expect(canvas.getByLabelText('Dock')).toHaveValue('left');
    await expect(devtools.queryByRole('tablist')).toBeNull();
    await expect(devtools.getByRole('button', { name: 'View Memory' })).toBeInTheDocument();
    await expect(overlaps(canvas.getByLabelText('Dock'), canvas.getByRole('button', { name: 'Close Kalphite devtools' }))).toBe(false);
    // Ids are readable: each row's button shows its whole id.
    const ids = within(devtools.getByRole('list', { name: 'Entities' })).getAllByRole('button');
    await expect(ids.map((b) => b.textContent)).toEqual(['comment-1', 'comment-2', 'comment-3', 'review-1', 'review-2']);
    for (const id of ids) await expect(id.scrollWidth).toBeLessThanOrEqual(id.clientWidth);
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await showView(devtools, 'Change log');
    await userEvent.click(await devtools.findByRole('button', { name: '#1 upsert review-1' }, SLOW));
    const change = devtools.getByRole('region', { name: 'Change #1' });
    await expect(within(change).getByRole('table', { name: 'Diff' })).toHaveAttribute('data-layout', 'unified');
    // The list stacks above the diff instead of squeezing beside it.
    const list = devtools.getByRole('list', { name: 'Changes' });
    await expect(list.getBoundingClientRect().bottom).toBeLessThanOrEqual(change.getBoundingClientRect().top);
    await expect((list.firstElementChild as HTMLElement).style.height).toBe('44px');
  },
};

/** The same, on a dark host: the header, the menu and the one-column diff in the dark theme. */
export const DockedNarrowDark: Story = {
  ...DockedNarrow,
  args: { ...DockedNarrow.args, hostTheme: 'dark' },
};

/** Docked at the bottom of a wide page: the views are one row of tabs, never a grid; the header one line of facts. */
export const DockedWide: Story = {
  args: { initialDock: 'bottom' },
  beforeEach: startOpen({ dock: 'bottom', size: 420, tab: 'memory' }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const devtools = within(await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW));
    await expect(await devtools.findByText('5 entities', {}, SLOW)).toBeInTheDocument();
    // However wide the frame, the views take one row: tabs where they fit, else the menu.
    const switcher = devtools.queryByRole('tablist') ?? devtools.getByRole('button', { name: /^View / });
    await expect(switcher.getBoundingClientRect().height).toBeLessThan(40);
    await expect(overlaps(canvas.getByLabelText('Dock'), canvas.getByRole('button', { name: 'Close Kalphite devtools' }))).toBe(false);
    // The list and the JSON side by side when there is room, stacked when not.
    await userEvent.click(devtools.getByRole('button', { name: 'review-1' }));
    await expect(devtools.getByLabelText('JSON of review-1')).toHaveTextContent('"Memory-first store"');
  },
};

/** Writes not on disk yet: the toggle's badge counts them, amber while they are on their way. */
export const ToggleWritesOnTheirWay: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const toggle = await canvas.findByRole('button', { name: 'Kalphite devtools' }, SLOW);
    await waitFor(() => expect(toggle).toHaveAttribute('data-state', 'moving'), SLOW);
    await expect(canvasElement.querySelector('.kalphite-devtools-badge')).toHaveTextContent(/^5$/);
    await expect(toggle).toHaveAccessibleDescription('5 writes not on disk yet, on their way.');
  },
};

/** Sync paused with writes waiting: data at risk, and the badge turns red and says why. */
export const ToggleDataAtRisk: Story = {
  args: { sync: true, paused: true },
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const toggle = await canvas.findByRole('button', { name: 'Kalphite devtools' }, SLOW);
    await waitFor(() => expect(toggle).toHaveAttribute('data-state', 'at-risk'), SLOW);
    await expect(canvasElement.querySelector('.kalphite-devtools-badge')).toHaveTextContent(/^5$/);
    await expect(toggle).toHaveAccessibleDescription('5 writes not on the server yet, at risk: sync is paused.');
    await expect(getComputedStyle(canvasElement.querySelector('.kalphite-devtools-badge')!).backgroundColor).toBe('rgb(207, 34, 46)');
  },
};

/** A dark host: the toggle and the panel follow its `data-kalphite-theme`, and follow it back to light. */
export const DarkHost: Story = {
  args: { hostTheme: 'dark', sync: true },
  parameters: { msw: { handlers: createMockSyncServer().handlers } },
  beforeEach: startOpen({ dock: 'bottom', size: 460, tab: 'durability' }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const region = await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW);
    await waitFor(() => expect(region).toHaveAttribute('data-kalphite-theme', 'dark'));
    await expect(getComputedStyle(region).backgroundColor).toBe('rgb(13, 17, 23)');
    const devtools = within(region);
    await userEvent.click(devtools.getByRole('button', { name: 'Flush now' }));
    await waitFor(() => expect(within(devtools.getByRole('list', { name: 'Write timeline' })).getAllByRole('listitem').length).toBe(5), SLOW);
    // The host switches to light: so does the panel.
    const host = canvasElement.querySelector('main')!;
    host.setAttribute('data-kalphite-theme', 'light');
    await waitFor(() => expect(region).toHaveAttribute('data-kalphite-theme', 'light'));
    host.setAttribute('data-kalphite-theme', 'dark');
    await waitFor(() => expect(region).toHaveAttribute('data-kalphite-theme', 'dark'));
  },
};

/** A host that names no Kalphite theme but declares `color-scheme: dark` on its root: the panel reads that. */
export const HostColorScheme: Story = {
  beforeEach: () => {
    startOpen({ dock: 'right', size: 340, tab: 'memory' })();
    document.documentElement.style.colorScheme = 'dark';
    return () => {
      document.documentElement.style.colorScheme = '';
    };
  },
  render: (args) => (
    <div style={{ background: '#0d1117', color: '#e6edf3', minHeight: '100vh' }}>
      <FloatingStory {...args} />
    </div>
  ),
  play: async ({ canvasElement }) => {
    const region = await within(canvasElement).findByRole('region', { name: 'Kalphite devtools' }, SLOW);
    await waitFor(() => expect(region).toHaveAttribute('data-kalphite-theme', 'dark'));
    document.documentElement.style.colorScheme = 'light';
    await waitFor(() => expect(region).toHaveAttribute('data-kalphite-theme', 'light'));
    document.documentElement.style.colorScheme = 'dark';
    await waitFor(() => expect(region).toHaveAttribute('data-kalphite-theme', 'dark'));
  },
};
