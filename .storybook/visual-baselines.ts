import { afterEach, expect } from 'vitest';
import { page } from 'vitest/browser';

/*
 * Every story's picture against its committed baseline (stories/baselines/<story id>.png), after
 * its play function has passed: the state the play function reached is the state pictured. Made
 * in Debian's Chromium, as CI runs it; `npm run baselines:update` writes the ones that changed.
 *
 * A story may set `parameters.visual`: `{ mask: ['css selector', …] }` hides what differs from
 * run to run by nature (durations, a sparkline of the last minute), `{ disable: true }` leaves it
 * out, `{ maxChangedPixels: n }` fails the picture once more than n pixels changed. A mask is
 * a style rule, not paint over each element: a live view re-renders its elements between the query
 * and the picture, so a mask pinned to an element could miss.
 */

export interface VisualParameters {
  readonly disable?: boolean;
  readonly mask?: readonly string[];
  /**
   * The config allows 0.5% of the picture to change (a digit that moves run to run, antialiasing):
   * in a 960×720 picture that is 3,456 pixels, more than two table rows of text. A story whose
   * picture is the same every run sets a bound it cannot hide a row in; the stricter one applies.
   */
  readonly maxChangedPixels?: number;
}

// Always hidden: real timings, which differ run to run — the header's sparkline of the last minute,
// the Durability view's write timeline (its lanes, times and the scale they set), and the lists of
// requests and events, whose retries and durations depend on the machine's speed.
const ALWAYS_MASKED: readonly string[] = [
  '.kalphite-devtools-sparkline',
  '.kalphite-devtools-view:has(.kalphite-devtools-timeline)',
  '[aria-label="Sync timeline"]',
  '[aria-label="Events"]',
];

afterEach(async (context) => {
  const { task } = context;
  const story = (context as { story?: { parameters?: { visual?: VisualParameters } } }).story;
  const id = task.meta.storyId;
  if (!id || task.result?.state === 'fail') return;
  const visual = story?.parameters?.visual ?? {};
  if (visual.disable) return;
  const hidden = document.createElement('style');
  hidden.textContent = `${[...ALWAYS_MASKED, ...(visual.mask ?? [])].join(',\n')} { visibility: hidden !important; }`;
  document.head.append(hidden);
  try {
    await expect(page.elementLocator(document.documentElement)).toMatchScreenshot(id, {
      timeout: 10_000,
      ...(visual.maxChangedPixels !== undefined && { comparatorOptions: { allowedMismatchedPixels: visual.maxChangedPixels } }),
      screenshotOptions: { animations: 'disabled', caret: 'hide' },
    });
  } finally {
    hidden.remove();
  }
});
