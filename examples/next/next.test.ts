import { fileURLToPath } from 'node:url';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../test-support/chromium.js';
import { startFrameworkProcess, type FrameworkProcess } from '../test-support/framework-process.js';
import { engine, expectTwoEnginesSyncThrough, signIn } from '../test-support/sync-through.js';

const next = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));

let server: FrameworkProcess;
beforeAll(async () => {
  // `next dev`: a production build would add a minute to every run for the same route handler.
  server = await startFrameworkProcess([process.execPath, next, 'dev', '--hostname', '127.0.0.1', '--port', '{port}'], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    ready: /Ready in/,
    env: { NEXT_TELEMETRY_DISABLED: '1' },
  });
});
afterAll(() => server?.stop());

describe('Next.js App Router route handlers', () => {
  it('serve the sync routes: two signed-in engines sync through them (push, pull, pokes)', () => expectTwoEnginesSyncThrough(server.url));
});

describe('Next.js server rendering (the same dev server, in Chromium)', () => {
  it('renders the snapshot into the HTML, hydrates without a warning, and keeps a write made before the local db opened across a reload', async () => {
    const writer = await engine(server.url, await signIn(server.url, 'ada'));
    writer.store.entities.set('ssr-note', { id: 'ssr-note', type: 'note', data: { text: 'rendered on the server' } });
    await writer.flush();
    await writer.sync?.push();
    await writer.close();

    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      expect((await context.request.post(`${server.url}/login`, { data: { user: 'ada' } })).status()).toBe(200);
      // The HTML as the server sent it, before any script ran: the data is in it.
      const html = await (await context.request.get(server.url)).text();
      expect(html).toContain('rendered on the server');

      const page = await context.newPage();
      const messages: string[] = [];
      page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
      // Nothing reaches the server from this page, so only the local db can keep the write; and
      // PGlite's files wait until the write is made, so the local db is still opening then.
      await page.route('**/api/sync/push**', (route) => route.abort());
      const held: Route[] = [];
      let holding = true;
      await page.route(/\.(wasm|data)(\?|$)/, (route) => (holding ? held.push(route) : route.continue()));

      await page.goto(server.url, { timeout: 150_000 });
      const notes = page.getByRole('list', { name: 'Notes' });
      await expect.poll(() => notes.textContent()).toContain('rendered on the server');
      await page.locator('[data-hydrated="true"]').waitFor({ timeout: 150_000 });
      expect(await page.locator('section').getAttribute('data-local-db')).toBe('opening');
      await page.getByLabel('New note').fill('written early');
      await page.getByRole('button', { name: 'Add' }).click();
      await expect.poll(() => notes.textContent()).toContain('written early (written before the local db opened)');

      holding = false;
      for (const route of held.splice(0)) await route.continue();
      await page.locator('[data-local-db="open"]').waitFor({ timeout: 60_000 });
      // The flusher's longest wait (1 s) and a margin: the write is in the local db.
      await page.waitForTimeout(1500);

      // The server never had it (its pushes were refused above): the reloaded page's HTML lacks it, the local db has it.
      expect(await (await context.request.get(server.url)).text()).not.toContain('written early');
      await page.reload();
      await expect.poll(() => notes.textContent(), { timeout: 60_000 }).toContain('written early (written before the local db opened)');
      expect(await notes.textContent()).toContain('rendered on the server');
      expect(messages.filter((message) => /hydrat|did not match|server rendered/i.test(message))).toEqual([]);
      await context.close();
    } finally {
      await browser.close();
    }
  });
});
