import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { ActivityChart, BarChart, Dashboard, StatCard, type TimeRangeId } from '../src/components/index.js';
import { useKalphiteInstance } from '../src/react/index.js';
import { LiveEngine } from './support/live-engine.js';
import { FILE_PATH, seedActivity, seedManyComments, seedReview, STORY_NOW } from './support/sample-data.js';

function Simulate() {
  const { store } = useKalphiteInstance();
  return (
    <button
      type="button"
      className="kalphite-button"
      onClick={() => {
        const id = `live-${store.entities.size}`;
        store.entities.set(id, { id, type: 'comment', data: { message: 'A new comment', lineNumber: 1, filePath: FILE_PATH, authorId: 'you' }, updatedAt: STORY_NOW });
      }}
    >
      Simulate a comment
    </button>
  );
}

interface Args {
  readonly seed: 'none' | 'review' | 'activity' | 'busy';
  readonly range: TimeRangeId;
  readonly locale: string;
  readonly theme: 'light' | 'dark';
  readonly width?: number;
}

function DashboardStory({ seed, range, locale, theme, width }: Args) {
  return (
    <div data-kalphite-theme={theme} style={{ background: theme === 'dark' ? '#0d1117' : undefined, padding: 8, display: 'grid', gap: 8, ...(width && { maxWidth: width }) }}>
      <LiveEngine
        onReady={(k) => {
          if (seed === 'review') seedReview(k.store);
          if (seed === 'activity') seedActivity(k.store);
          if (seed === 'busy') {
            seedReview(k.store);
            seedManyComments(k.store, 2000);
          }
        }}
      >
        <div className="kalphite">
          <Simulate />
        </div>
        <Dashboard now={STORY_NOW} range={range} locale={locale} />
      </LiveEngine>
    </div>
  );
}

const meta = {
  title: 'Components/Dashboard',
  component: DashboardStory,
  // The docs page's props tables: the components it shows, from their TypeScript types.
  subcomponents: { Dashboard, StatCard, ActivityChart, BarChart },
  args: { seed: 'activity', range: 'day', locale: 'en-US', theme: 'light' },
  argTypes: {
    seed: { control: 'inline-radio', options: ['none', 'review', 'activity', 'busy'] },
    range: { control: 'inline-radio', options: ['hour', 'day', 'week', 'month'] },
    locale: { control: 'inline-radio', options: ['en-US', 'de-DE', 'ja-JP'] },
    theme: { control: 'inline-radio', options: ['light', 'dark'] },
  },
  // Its buckets move with the clock (the data is relative to the page's load): the plots are left out of the picture.
  parameters: { visual: { mask: ['.kalphite-chart-frame', '.kalphite-chart-tooltip'] } },
} satisfies Meta<typeof DashboardStory>;

export default meta;
type Story = StoryObj<typeof meta>;

const stat = (canvas: ReturnType<typeof within>, title: string) => canvas.getByText(title).nextElementSibling?.textContent;
const ready = (canvasElement: HTMLElement) => within(canvasElement).findByRole('region', { name: 'Review dashboard' }, { timeout: 30_000 });
const chart = (canvas: ReturnType<typeof within>, name: RegExp) => canvas.getByRole('group', { name });

/** Nothing yet: empty charts with their axes, and the first comment shows at once. */
export const Empty: Story = {
  args: { seed: 'none' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    await expect(canvas.getByText('Nothing has happened yet.')).toBeInTheDocument();
    await userEvent.click(canvas.getByRole('button', { name: 'Simulate a comment' }));
    await expect(await canvas.findByText(/you commented on line 1/)).toBeInTheDocument();
    await expect(stat(canvas, 'Comments')).toBe('1');
    await expect(canvas.getAllByRole('img', { name: /: 1 comment \(you 1\)$/ })).toHaveLength(1);
  },
};

/** A month of activity, the last 24 hours shown: stacked bars per author, a legend, axis values. */
export const Populated: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    const comments = chart(canvas, /^Comments per author, last 24 hours/);
    await expect(within(comments).getAllByRole('img')).toHaveLength(24);
    await expect(canvas.getByRole('list', { name: /Comments per author, last 24 hours: legend/ })).toHaveTextContent('ada');
    await expect(canvas.getByRole('button', { name: 'Last 24 hours' })).toHaveAttribute('aria-pressed', 'true');
    await userEvent.click(canvas.getByRole('button', { name: 'Simulate a comment' }));
    await waitFor(() => expect(stat(canvas, 'Comments')).toBe('244'));
  },
};

/** Hovering a bar shows its tooltip: the window, the total and each author's share. */
export const TooltipOnHover: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    const bars = within(chart(canvas, /^Comments per author/)).getAllByRole('img');
    const last = bars.at(-1)!;
    await userEvent.hover(last);
    const tooltip = await waitFor(() => {
      const found = canvasElement.querySelector('.kalphite-chart-tooltip');
      if (!found) throw new Error('no tooltip');
      return found;
    });
    // Just after the hour the last bar may hold a single comment.
    await expect(tooltip).toHaveTextContent(/\d+ comments?/);
    // An hour's bar names its hours, with their days when it spans midnight ("Dec 1, 11:00 PM – Dec 2, 12:00 AM").
    await expect(last.getAttribute('aria-label')).toMatch(/^([A-Z][a-z]{2} \d{1,2}, )?\d{1,2}:\d\d/);
    const midnight = bars.find((bar) => /^[A-Z][a-z]{2} \d{1,2}, 11:00\sPM\s–\s[A-Z][a-z]{2} \d{1,2}, 12:00\sAM: /.test(bar.getAttribute('aria-label') ?? ''));
    await expect(midnight, 'the bar from 11 PM to midnight names both days').toBeDefined();
  },
};

/** The keyboard reads the chart: one tab stop, arrows move between bars, the tooltip follows focus. */
export const TooltipOnFocus: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    const bars = within(chart(canvas, /^Comments per author/)).getAllByRole('img');
    bars.at(-1)!.focus();
    await expect(bars.at(-1)).toHaveFocus();
    await userEvent.keyboard('{ArrowLeft}');
    await expect(bars.at(-2)).toHaveFocus();
    await userEvent.keyboard('{Home}');
    await expect(bars[0]).toHaveFocus();
    await expect(canvasElement.querySelector('.kalphite-chart-tooltip')).toHaveTextContent(bars[0]!.getAttribute('aria-label')!.split(':')[0]!.slice(0, 5));
  },
};

/** The time-range switch: a month of days, then the last hour's five-minute windows. */
export const TimeRanges: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Last 30 days' }));
    await expect(within(chart(canvas, /^Comments per author, last 30 days/)).getAllByRole('img')).toHaveLength(30);
    await expect(within(chart(canvas, /^Review verdicts, last 30 days/)).getAllByRole('img')).toHaveLength(30);
    await userEvent.click(canvas.getByRole('button', { name: 'Last 7 days' }));
    await expect(within(chart(canvas, /^Comments per author, last 7 days/)).getAllByRole('img')).toHaveLength(7);
    await userEvent.click(canvas.getByRole('button', { name: 'Last hour' }));
    await expect(within(chart(canvas, /^Comments per author, last hour/)).getAllByRole('img')).toHaveLength(12);
  },
};

/** 2,003 comments, numbers in German: thousands with a dot. */
export const BusyInGerman: Story = {
  args: { seed: 'busy', locale: 'de-DE', range: 'hour' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await ready(canvasElement);
    await expect(stat(canvas, 'Comments')).toBe('2.003');
    await expect(canvas.getByText(/· [\d.]+ comments$/)).toBeInTheDocument();
  },
};

export const Dark: Story = {
  args: { theme: 'dark', range: 'month' },
  play: async ({ canvasElement }) => {
    const dashboard = await ready(canvasElement);
    await expect(getComputedStyle(dashboard).getPropertyValue('--kalphite-bg').trim()).toBe('#0d1117');
  },
};

/** A phone's width: the charts stack and draw at their real size, labels thinned to fit. */
export const Narrow: Story = {
  args: { width: 380 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const dashboard = await ready(canvasElement);
    const svg = chart(canvas, /^Comments per author/);
    await waitFor(() => expect(Number(svg.getAttribute('width'))).toBeLessThanOrEqual(380));
    await expect(dashboard.scrollWidth).toBeLessThanOrEqual(dashboard.clientWidth + 1);
  },
};
