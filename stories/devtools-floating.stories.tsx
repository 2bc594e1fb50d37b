import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { KalphiteDevtools, UI_STORAGE_KEY, type DevtoolsDock } from '../src/devtools/production.js';
import { LiveEngine } from './support/live-engine.js';
import { seedReview } from './support/sample-data.js';

function FloatingStory({ buttonPosition, initialDock }: { readonly buttonPosition: 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left'; readonly initialDock: DevtoolsDock }) {
  return (
    <LiveEngine options={{ flushDelayMs: 0 }} onReady={(k) => seedReview(k.store)}>
      {(kalphite) => (
        <main>
          <h1>An app with the devtools embedded</h1>
          <p>The toggle sits in a corner; the panel docks to an edge and remembers where.</p>
          <KalphiteDevtools kalphite={kalphite} buttonPosition={buttonPosition} initialDock={initialDock} />
        </main>
      )}
    </LiveEngine>
  );
}

const meta = {
  title: 'Devtools/Floating',
  component: FloatingStory,
  args: { buttonPosition: 'bottom-right', initialDock: 'bottom' },
  argTypes: {
    buttonPosition: { control: 'select', options: ['bottom-right', 'bottom-left', 'top-right', 'top-left'] },
    initialDock: { control: 'inline-radio', options: ['bottom', 'right', 'left', 'top'] },
  },
  parameters: { layout: 'fullscreen' },
  // Every story starts closed and docked where its args say: forget what an earlier one remembered.
  beforeEach: () => localStorage.removeItem(UI_STORAGE_KEY),
} satisfies Meta<typeof FloatingStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const SLOW = { timeout: 30_000 };

/** Open the panel, dock it right, resize it from the keyboard; the choices are remembered. */
export const DockAndResize: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const toggle = await canvas.findByRole('button', { name: 'Kalphite devtools' }, SLOW);
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    // The panel body is a lazy chunk: it appears once loaded.
    await expect(await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW)).toBeInTheDocument();
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
  },
};

/** First opened docked to the left, with the toggle top-left. */
export const DockedLeft: Story = {
  args: { buttonPosition: 'top-left', initialDock: 'left' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Kalphite devtools' }, SLOW));
    await expect(await canvas.findByRole('region', { name: 'Kalphite devtools' }, SLOW)).toBeInTheDocument();
    await expect(canvas.getByLabelText('Dock')).toHaveValue('left');
  },
};
