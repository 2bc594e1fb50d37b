/**
 * Screenshots of stories and of the demo in Chromium, to look at the UI as a user would.
 *
 *   npx tsx scripts/screenshots.ts stories [--url http://localhost:6006] [--dark] [--width 380] [--all | story-id-prefix …]
 *   npx tsx scripts/screenshots.ts readme [--url …]
 *   npx tsx scripts/screenshots.ts demo
 *
 * Stories: from a running Storybook (`npm start`) at --url, else from a static build made here.
 * Each is shot once its play function and checks have finished, so the picture is the end state
 * the play function reached. Default: the spaces stories. `--dark` puts the kit's dark theme on the
 * page; `--width` sets the viewport's width (a phone: 380). PNGs go to test-results/screenshots/
 * (`<id>[.dark][.w380].png`). `readme` makes the README's pictures of the kit in docs/images/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../e2e/browser.js';
import { serveStatic } from '../e2e/static-server.js';
import { startDemo } from '../demo/server.js';
import { DEMO_USERS, type DemoUser } from '../demo/users.js';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'test-results', 'screenshots');
const DEFAULT_PREFIXES = ['spaces-', 'devtools-spaces-'];

interface ShotOptions {
  readonly dark?: boolean;
  readonly width?: number;
  /** Where the PNG goes (default: test-results/screenshots/<id>…png). */
  readonly file?: string;
  /** Shoot only this element (a CSS selector), not the whole page. */
  readonly selector?: string;
}

/** The README's pictures of the kit: story, file in docs/images, and what to frame. */
const README_SHOTS: readonly { readonly id: string; readonly file: string; readonly options?: ShotOptions }[] = [
  { id: 'components-code-review--populated', file: 'kit-code-review.png', options: { width: 1200 } },
  { id: 'components-code-review--split', file: 'kit-code-review-split-dark.png', options: { width: 1200, dark: true } },
  { id: 'components-dashboard--tooltip-on-hover', file: 'kit-dashboard.png', options: { width: 1000 } },
  { id: 'spaces-code-review--read-only-reader', file: 'code-review-read-only.png', options: { width: 1200 } },
  // The devtools: the write timeline with the header's meter and sparkline, the divergence check's
  // drill-down, and the panel docked narrow on a dark host.
  { id: 'devtools-pictures--timeline', file: 'devtools-timeline.png', options: { width: 1200, selector: '#storybook-root' } },
  { id: 'devtools-divergence--differs', file: 'devtools-divergence.png', options: { width: 1200, selector: '#storybook-root' } },
  { id: 'devtools-floating--docked-narrow-dark', file: 'devtools-docked-narrow-dark.png', options: { width: 1000 } },
];

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  try {
    if (mode === 'stories') await stories(browser, rest);
    else if (mode === 'readme') await stories(browser, rest, true);
    else if (mode === 'demo') await demo(browser);
    else throw new Error('Usage: screenshots.ts stories [--url URL] [--dark] [--width N] [--all | id-prefix …] | readme [--url URL] | demo');
  } finally {
    await browser.close();
  }
}

async function stories(browser: Browser, args: string[], readme = false): Promise<void> {
  const urlAt = args.indexOf('--url');
  const given = urlAt >= 0 ? args[urlAt + 1] : undefined;
  const widthAt = args.indexOf('--width');
  const width = widthAt >= 0 ? Number(args[widthAt + 1]) : undefined;
  const dark = args.includes('--dark');
  const values = new Set([urlAt, widthAt].filter((at) => at >= 0).map((at) => at + 1));
  const prefixes = args.filter((a, i) => !a.startsWith('--') && !values.has(i));
  const all = args.includes('--all');
  let site: { url: string; close: () => Promise<void> } | null = null;
  let built: string | null = null;
  if (!given) {
    built = mkdtempSync(join(tmpdir(), 'kalphite-storybook-'));
    console.log('Building the static Storybook…');
    execFileSync(process.execPath, [join(root, 'node_modules/storybook/dist/bin/dispatcher.js'), 'build', '--quiet', '-o', built], { cwd: root, stdio: 'pipe' });
    site = await serveStatic(built);
  }
  const base = given ?? site!.url;
  try {
    if (readme) {
      for (const shot of README_SHOTS) await shootStory(browser, base, shot.id, { ...shot.options, file: join(root, 'docs', 'images', shot.file) });
      return;
    }
    const index = (await (await fetch(`${base}/index.json`)).json()) as { entries: Record<string, { id: string; type: string }> };
    const ids = Object.values(index.entries)
      .filter((e) => e.type === 'story' && (all || (prefixes.length > 0 ? prefixes : DEFAULT_PREFIXES).some((p) => e.id.startsWith(p))))
      .map((e) => e.id);
    for (const id of ids) await shootStory(browser, base, id, { dark, ...(width !== undefined && { width }) });
  } finally {
    await site?.close();
    if (built) rmSync(built, { recursive: true, force: true });
  }
}

async function shootStory(browser: Browser, base: string, id: string, { dark = false, width = 1280, file: into, selector }: ShotOptions = {}): Promise<void> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}/iframe.html?id=${id}&viewMode=story`);
  // Storybook's own record of the story: rendered, played, checked.
  const phase = await page
    .waitForFunction(() => {
      const render = (globalThis as { __STORYBOOK_PREVIEW__?: { currentRender?: { phase?: string } } }).__STORYBOOK_PREVIEW__?.currentRender;
      return ['finished', 'errored', 'aborted'].includes(render?.phase ?? '') && render?.phase;
    }, undefined, { timeout: 120_000, polling: 250 })
    .then((handle) => handle.jsonValue());
  if (dark) {
    // The kit's dark theme from the outside, as a host app sets it.
    await page.evaluate(() => {
      document.documentElement.setAttribute('data-kalphite-theme', 'dark');
      document.body.style.background = '#0d1117';
    });
  }
  const file = into ?? join(out, `${id}${dark ? '.dark' : ''}${width !== 1280 ? `.w${width}` : ''}.png`);
  if (selector) await page.locator(selector).first().screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
  console.log(`${phase === 'finished' ? 'ok ' : `${String(phase)}:`} ${file}${errors.length ? `  (page errors: ${errors.join('; ')})` : ''}`);
  await context.close();
}

async function demo(browser: Browser): Promise<void> {
  const running = await startDemo({ port: 0 });
  try {
    const signIn = await browser.newPage({ viewport: { width: 1280, height: 700 } });
    await signIn.goto(running.url);
    await signIn.getByRole('link', { name: 'Sign in as Ada' }).waitFor({ timeout: 90_000 });
    await signIn.screenshot({ path: join(out, 'demo-sign-in.png') });
    for (const user of DEMO_USERS) await shootDemoUser(browser, running.url, user);
  } finally {
    await running.close();
  }
}

async function shootDemoUser(browser: Browser, url: string, user: DemoUser): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${url}/?user=${user.id}`);
  await page.getByRole('region', { name: 'review:store: file /src/engine/store.ts' }).waitFor({ timeout: 90_000 });
  // The members-only review settles either way: its file, or the server's no.
  await page.getByRole('region', { name: /^review:auth: (file|code review)/ }).first().waitFor({ timeout: 60_000 });
  await settle(page);
  await page.screenshot({ path: join(out, `demo-${user.id}.png`), fullPage: true });
  await page.getByRole('button', { name: 'Kalphite devtools' }).click();
  await page.getByRole('region', { name: 'Kalphite devtools' }).getByRole('tab', { name: 'Spaces' }).click();
  await settle(page);
  await page.screenshot({ path: join(out, `demo-${user.id}-devtools-spaces.png`) });
  // The README's first picture.
  if (user.id === 'ada') await page.screenshot({ path: join(root, 'docs', 'images', 'demo-with-devtools-spaces.png') });
  console.log(`ok  demo as ${user.id}`);
  await context.close();
}

/** Lets pulls land and the panel redraw (it redraws on animation frames). */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForTimeout(1500);
}

await main();
