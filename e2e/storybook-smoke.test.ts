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
});
