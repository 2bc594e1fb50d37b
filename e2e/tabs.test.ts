import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoHeaders, demoUser } from '../demo/users.js';
import { commentOnStoreReview as comment, demoInChromium, openDemoPage, storeReview } from './browser.js';

const env = demoInChromium();

/** A tab of the demo in `context` as Ada (tabs of one context and user share IndexedDB, so one local database). */
const openTab = (context: BrowserContext) => openDemoPage(context, env.demo.url, 'ada');

const seen = (page: Page, line: number, text: string) => storeReview(page).getByRole('group', { name: `Comments on line ${line}` }).getByText(text).waitFor({ timeout: 60_000 });

/** Waits for the devtools header to show `text`; the page comes to the front first, since a hidden page gets no animation frames (the panel redraws on those). */
async function header(page: Page, text: string) {
  await page.bringToFront();
  await page.getByText(text).waitFor({ timeout: 60_000 });
}

describe('tabs of one browser profile', () => {
  it('share one database: both write, each sees the other; the leader closes mid-stream; a later tab loads everything', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const first = await openTab(context);
    const second = await openTab(context);
    for (const tab of [first, second]) await tab.page.getByRole('button', { name: 'Kalphite devtools' }).click();
    await header(first.page, 'leader · 2 tabs');
    await header(second.page, 'follower · 2 tabs');
    // The leader counts the tabs holding each space: both hold the store review.
    const devtools = first.page.getByRole('region', { name: 'Kalphite devtools' });
    await first.page.bringToFront();
    await devtools.getByRole('tab', { name: 'Spaces' }).click();
    const storeRow = devtools.getByRole('row').filter({ has: first.page.getByRole('rowheader', { name: 'review:store (default)' }) });
    await expect.poll(() => storeRow.getByRole('cell').nth(1).textContent(), { timeout: 30_000 }).toBe('2 of 2');

    await comment(first.page, 3, 'Written in the leader tab');
    await comment(second.page, 5, 'Written in the follower tab');
    await seen(second.page, 3, 'Written in the leader tab');
    await seen(first.page, 5, 'Written in the follower tab');

    // The leader goes away while the follower keeps writing: the follower takes over.
    await comment(second.page, 7, 'Written during the hand-over');
    await first.page.close();
    await comment(second.page, 9, 'Written by the new leader');
    await header(second.page, 'leader · 1 tab');

    const third = await openTab(context);
    for (const [line, text] of [
      [3, 'Written in the leader tab'],
      [5, 'Written in the follower tab'],
      [7, 'Written during the hand-over'],
      [9, 'Written by the new leader'],
    ] as const) {
      await seen(third.page, line, text);
    }

    // And the server has each comment once, through the one leader (besides the two the demo seeds).
    const ada = demoUser('ada')!;
    await expect.poll(async () => {
      const body = await fetch(`${env.demo.syncUrl}/pull?space=review:store`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...demoHeaders(ada) },
        body: JSON.stringify({ pullVersion: 1, clientGroupID: 'observer', profileID: 'observer', schemaVersion: '3', cookie: null }),
      }).then((r) => r.json() as Promise<{ patch: { op: string; key?: string; value?: { type?: string } }[] }>);
      return body.patch.filter((op) => op.op === 'put' && op.value?.type === 'comment' && !op.key?.startsWith('review:store/')).length;
    }, { timeout: 30_000 }).toBe(4);

    const pgliteErrors = [...first.errors, ...second.errors, ...third.errors].filter((e) => /pglite|checkpoint|ErrnoError|IDB/i.test(e));
    expect(pgliteErrors).toEqual([]);
    expect([...second.errors, ...third.errors]).toEqual([]);
    await context.close();
  }, 240_000);
});
