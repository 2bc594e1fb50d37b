import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startDemo, type Demo } from '../demo/server.js';

/** Debian's Chromium (browsers cannot be downloaded here); CHROMIUM_PATH overrides it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The demo's store review (readable by every user): its file with the comment threads. */
export const storeReview = (page: Page): Locator => page.getByRole('region', { name: 'review:store: file /src/engine/store.ts' });

/**
 * A page of the demo signed in as `user`, with every page error and console error it logs
 * collected. A 403 is the server's answer to a review the user may not read: the browser logs
 * the failed request as an error, but it is no fault of the page.
 */
export async function openDemoPage(context: BrowserContext, demoUrl: string, user: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 403/.test(message.text())) errors.push(message.text());
  });
  await page.goto(`${demoUrl}/?user=${user}`);
  // Vite compiles the app on the first visit: allow for it.
  await storeReview(page).waitFor({ timeout: 90_000 });
  return { page, errors };
}

/** Comments on a line of the store review as the page's user. */
export async function commentOnStoreReview(page: Page, line: number, text: string): Promise<void> {
  const review = storeReview(page);
  await review.getByRole('button', { name: new RegExp(`^Comment on line ${line}( |$)`) }).click();
  await review.getByLabel(`Your comment on line ${line}`).fill(text);
  await review.getByRole('button', { name: 'Comment', exact: true }).click();
}

/** The demo and a Chromium for one test file: started before its tests, closed after them. */
export function demoInChromium(): { readonly demo: Demo; readonly browser: Browser } {
  const state = {} as { demo: Demo; browser: Browser };
  beforeAll(async () => {
    state.demo = await startDemo({ port: 0 });
    state.browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await state.browser?.close();
    await state.demo?.close();
  });
  return state;
}
