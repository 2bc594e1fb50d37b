import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoInChromium, openDemoPage } from './browser.js';

const env = demoInChromium();

/** One user in a browser context of their own: their own IndexedDB, so their own sync client. */
async function openAs(user: string): Promise<{ page: Page; errors: string[] }> {
  return openDemoPage(await env.browser.newContext({ viewport: { width: 1280, height: 1000 } }), env.demo.url, user);
}

async function openSyncTab(page: Page) {
  // A hidden page gets no animation frames, and the panel redraws on those.
  await page.bringToFront();
  await page.getByRole('button', { name: 'Kalphite devtools' }).click();
  const devtools = page.getByRole('region', { name: 'Kalphite devtools' });
  await devtools.getByRole('tab', { name: 'Sync' }).click();
  return devtools.getByRole('list', { name: 'Sync timeline' });
}

describe('npm run demo', () => {
  it('a comment made in one browser arrives in another; each devtools shows its push or pull', async () => {
    const [ada, grace] = await Promise.all([openAs('ada'), openAs('grace')]);
    await ada.page.getByRole('button', { name: 'Comment on line 5' }).click();
    await ada.page.getByLabel('Your comment on line 5').fill('Seen from the other browser?');
    await ada.page.getByRole('button', { name: 'Comment', exact: true }).click();

    // Pushed by ada's engine, poked to grace's, pulled into her memory and rendered.
    await grace.page.getByRole('group', { name: 'Comments on line 5' }).getByText('Seen from the other browser?').waitFor({ timeout: 30_000 });

    const adaTimeline = await openSyncTab(ada.page);
    await adaTimeline.getByText(/^push #\d+: 1 mutations/).waitFor({ timeout: 30_000 });
    const graceTimeline = await openSyncTab(grace.page);
    await graceTimeline.getByText(/^pull #\d+: \d+ → \d+, [1-9]\d* ops/).first().waitFor({ timeout: 30_000 });

    expect(ada.errors).toEqual([]);
    expect(grace.errors).toEqual([]);
  }, 180_000);
});
