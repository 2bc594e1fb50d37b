import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startDemo, type Demo } from '../demo/server.js';

/** Debian's Chromium (browsers cannot be downloaded here); CHROMIUM_PATH overrides it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A page of the demo as `user`, with every page error and console error it logs collected. */
export async function openDemoPage(context: BrowserContext, demoUrl: string, user: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${demoUrl}/?user=${user}`);
  // Vite compiles the app on the first visit: allow for it.
  await page.getByRole('region', { name: 'File /src/engine/store.ts' }).waitFor({ timeout: 90_000 });
  return { page, errors };
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
