import { afterEach, expect } from 'vitest';
import { page } from 'vitest/browser';

/*
 * Every story's picture against its committed baseline (stories/baselines/<story id>.png), after
 * its play function has passed: the state the play function reached is the state pictured. Made
 * in Debian's Chromium, as CI runs it; `npm run baselines:update` writes the ones that changed.
 *
 * A story may set `parameters.visual`: `{ mask: ['css selector', …] }` paints over what differs
 * from run to run by nature (durations, a sparkline of the last minute), `{ disable: true }`
 * leaves it out.
 */

export interface VisualParameters {
  readonly disable?: boolean;
  readonly mask?: readonly string[];
}

// Always painted over: real timings, which differ run to run — the header's sparkline of the last
// minute, and the write timeline (its lanes' bars and times, and the scale they set).
const ALWAYS_MASKED: readonly string[] = ['.kalphite-devtools-sparkline', '.kalphite-devtools-timeline'];

afterEach(async (context) => {
  const { task } = context;
  const story = (context as { story?: { parameters?: { visual?: VisualParameters } } }).story;
  const id = task.meta.storyId;
  if (!id || task.result?.state === 'fail') return;
  const visual = story?.parameters?.visual ?? {};
  if (visual.disable) return;
  const mask = [...ALWAYS_MASKED, ...(visual.mask ?? [])].flatMap((selector) => [...document.querySelectorAll(selector)]).map((element) => page.elementLocator(element));
  await expect(page.elementLocator(document.documentElement)).toMatchScreenshot(id, {
    timeout: 10_000,
    screenshotOptions: { animations: 'disabled', caret: 'hide', ...(mask.length > 0 && { mask }) },
  });
});
