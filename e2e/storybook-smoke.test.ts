import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { serveStatic } from './static-server.js';

const root = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'kalphite-storybook-'));
let site: Awaited<ReturnType<typeof serveStatic>>;
let browser: Browser;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'node_modules/storybook/dist/bin/dispatcher.js'), 'build', '--quiet', '-o', out], { cwd: root, stdio: 'pipe' });
  site = await serveStatic(out);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('the static Storybook build', () => {
  it('opens in Chromium; the code-review story takes a comment; a screenshot is saved', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${site.url}/iframe.html?id=components-code-review--empty&viewMode=story`);
    await page.getByRole('region', { name: 'File /src/engine/store.ts' }).waitFor({ timeout: 60_000 });
    // The story's own play function runs in the static build too: let it finish (it ends by
    // approving a review) before clicking, so the two never race for the same form.
    await page.getByText('Approved', { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Comment on line 7' }).click();
    await page.getByLabel('Your comment on line 7').fill('Checked in a static build.');
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    await expect(page.getByRole('group', { name: 'Comments on line 7' }).getByText('Checked in a static build.').isVisible()).resolves.toBe(true);
    const shots = join(root, 'test-results');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'code-review.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it("shows the current story's engine in the Kalphite panel, live, and the toolbar toggle turns it off and on", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${site.url}/?path=/story/engine-entity-table--empty`);
    await page.getByRole('tab', { name: 'Kalphite' }).click({ timeout: 60_000 });
    // The devtools render into the manager's addon area, not the story's canvas.
    const devtools = page.locator('#storybook-panel-root').getByRole('region', { name: 'Kalphite devtools' });
    const entities = devtools.getByLabel('Entities in memory');
    const story = page.frameLocator('#storybook-preview-iframe');
    // The story's play function ends with an empty store; a write in the story shows in the panel.
    await story.getByText('No entities yet.').waitFor({ timeout: 60_000 });
    await expect.poll(() => entities.textContent(), { timeout: 30_000 }).toBe('0 entities');
    await story.getByRole('button', { name: 'Add comment' }).click();
    await expect.poll(() => entities.textContent(), { timeout: 10_000 }).toBe('1 entities');

    // Another story, another engine: seeded with two, its play function adds one.
    await page.locator('#engine-entity-table--filtered-by-type').click();
    await story.getByText(/\(2\)/).waitFor({ timeout: 60_000 });
    await expect.poll(() => entities.textContent(), { timeout: 30_000 }).toBe('3 entities');

    // A story with two engines offers both, by their labels.
    await page.goto(`${site.url}/?path=/story/sync-two-clients--edit-appears-on-the-other&addonPanel=kalphite/panel`);
    const engine = page.locator('#storybook-panel-root').getByLabel('Engine');
    await expect.poll(() => engine.locator('option').allTextContents(), { timeout: 60_000 }).toEqual(['Ada', 'Grace']);

    const toggle = page.getByRole('switch', { name: 'Kalphite devtools' });
    await toggle.click();
    await page.locator('#storybook-panel-root').getByText('The Kalphite devtools are off').waitFor({ timeout: 10_000 });
    await expect(devtools.count()).resolves.toBe(0);
    await toggle.click();
    await devtools.waitFor({ timeout: 10_000 });
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
