import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { MEMBERS_ONLY_TEXT, SEEDED_REVIEWS } from '../demo/seed.js';
import { commentOnStoreReview, demoInChromium, openDemoPage, storeReview } from './browser.js';

const env = demoInChromium();

/** One user in a browser context of their own: their own IndexedDB, so their own sync client. */
async function openAs(user: string, options: { recordResponses?: boolean } = {}): Promise<{ page: Page; errors: string[]; bodies: () => Promise<string[]> }> {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const outside: Promise<string>[] = [];
  if (options.recordResponses) {
    // Every fetch the page makes (sync requests and the poke stream) is copied as it arrives,
    // before the app reads it; everything else the browser loads is read from the network side.
    await context.addInitScript(() => {
      const bodies: string[] = [];
      Object.assign(globalThis, { receivedBodies: bodies });
      const original = globalThis.fetch.bind(globalThis);
      globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
        const response = await original(...args);
        const at = bodies.push('') - 1;
        const reader = response.clone().body?.getReader();
        const decoder = new TextDecoder();
        void (async () => {
          for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) bodies[at] += decoder.decode(chunk.value, { stream: true });
        })().catch(() => {});
        return response;
      };
    });
    context.on('response', (response) => {
      if (response.request().resourceType() !== 'fetch') outside.push(response.body().then((b) => b.toString('utf8'), () => ''));
    });
  }
  const opened = await openDemoPage(context, env.demo.url, user);
  const bodies = async () => [...(await Promise.all(outside)), ...(await opened.page.evaluate(() => (globalThis as unknown as { receivedBodies: string[] }).receivedBodies))];
  return { ...opened, bodies };
}

async function openSyncTab(page: Page) {
  // A hidden page gets no animation frames, and the panel redraws on those.
  await page.bringToFront();
  await page.getByRole('button', { name: 'Kalphite devtools' }).click();
  const devtools = page.getByRole('region', { name: 'Kalphite devtools' });
  await devtools.getByRole('tab', { name: 'Sync' }).click();
  return devtools.getByRole('list', { name: 'Sync timeline' });
}

/**
 * Which of `needles` the page's storage holds anywhere, read raw: IndexedDB and the origin private
 * file system (PGlite keeps its database files in one or the other). `locked`: OPFS files a live
 * worker still holds (they cannot be read), so a scan that must find nothing asks for none.
 */
function inBrowserStorage(page: Page, needles: readonly string[]): Promise<{ found: string[]; bytes: number; locked: number }> {
  return page.evaluate(async (needles) => {
    const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
    const decoder = new TextDecoder();
    const found = new Set<string>();
    let bytes = 0;
    let locked = 0;
    const search = async (value: unknown): Promise<void> => {
      let text: string | null = null;
      if (typeof value === 'string') text = value;
      else if (value instanceof Blob) text = decoder.decode(await value.arrayBuffer());
      else if (value instanceof ArrayBuffer) text = decoder.decode(value);
      else if (ArrayBuffer.isView(value)) text = decoder.decode(value);
      else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) await search(v);
      if (text === null) return;
      bytes += text.length;
      for (const needle of needles) if (text.includes(needle)) found.add(needle);
    };
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await request(indexedDB.open(name));
      for (const store of db.objectStoreNames) await search(await request(db.transaction(store).objectStore(store).getAll()));
      db.close();
    }
    const walk = async (directory: FileSystemDirectoryHandle): Promise<void> => {
      for await (const handle of (directory as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
        if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle);
        else await (handle as FileSystemFileHandle).getFile().then(search, () => locked++);
      }
    };
    await walk(await navigator.storage.getDirectory());
    return { found: [...found], bytes, locked };
  }, needles);
}

/** Closes the page's engine: its worker ends and lets go of the database's files. */
const closeEngine = (page: Page) => page.evaluate(() => (globalThis as unknown as { kalphite: { close(): Promise<void> } }).kalphite.close());

/** Which of `needles` the page's engine holds in memory or shows in `inspect()`. */
const inMemory = (page: Page, needles: readonly string[]) =>
  page.evaluate((needles) => {
    const { kalphite } = globalThis as unknown as { kalphite: { store: { getAll(): unknown }; inspect(): unknown } };
    const text = JSON.stringify([kalphite.store.getAll(), kalphite.inspect()]);
    return needles.filter((n) => text.includes(n));
  }, needles);

describe('npm run demo', () => {
  it('a comment made in one browser arrives in another; each devtools shows its push, and the poke or pull that brought it', async () => {
    const [ada, grace] = await Promise.all([openAs('ada'), openAs('grace')]);
    await commentOnStoreReview(ada.page, 9, 'Seen from the other browser?');

    // Pushed by ada's engine into the review's space, poked to grace's (the poke carrying the change, or a pull after it) and rendered.
    await storeReview(grace.page).getByRole('group', { name: 'Comments on line 9' }).getByText('Seen from the other browser?').waitFor({ timeout: 30_000 });

    const adaTimeline = await openSyncTab(ada.page);
    await adaTimeline.getByText(/^push #\d+: 1 mutations/).waitFor({ timeout: 30_000 });
    const graceTimeline = await openSyncTab(grace.page);
    await graceTimeline.getByText(/^(pull #\d+|poke landed without a pull): \d+ → \d+, [1-9]\d* ops/).first().waitFor({ timeout: 30_000 });

    expect(ada.errors).toEqual([]);
    expect(grace.errors).toEqual([]);
  }, 180_000);

  it('the members-only review never reaches an outsider: not in memory, not in the local db, not in any response body', async () => {
    // Linus reads the store review only; Ada is a member of both. Linus's page is open (poke stream
    // and all) while Ada writes into the members-only review.
    const linus = await openAs('linus', { recordResponses: true });
    await linus.page.getByRole('region', { name: 'review:auth: code review' }).getByText('You do not have access to review:auth.').waitFor({ timeout: 30_000 });
    const ada = await openAs('ada', { recordResponses: true });
    const written = `Members only: rotate the deploy key ${Date.now()}`;
    const authFile = ada.page.getByRole('region', { name: 'review:auth: file /src/server/deploy-token.ts' });
    await authFile.getByRole('button', { name: 'Comment on line 3' }).click();
    await authFile.getByLabel('Your comment on line 3').fill(written);
    await authFile.getByRole('button', { name: 'Comment', exact: true }).click();
    // Then a comment Linus may read: once it is on his page, his sync has run past Ada's secret one.
    const after = `Written after the members-only comment ${Date.now()}`;
    await commentOnStoreReview(ada.page, 9, after);
    await storeReview(linus.page).getByText(after).waitFor({ timeout: 30_000 });

    const secrets = [...MEMBERS_ONLY_TEXT, written];
    // Ada's page holds them all: the checks below would see them.
    await expect.poll(() => inMemory(ada.page, secrets), { timeout: 30_000 }).toEqual(secrets);
    const receivedBy = async (page: typeof ada) => (await page.bodies()).join('\n');
    await expect.poll(async () => { const text = await receivedBy(ada); return MEMBERS_ONLY_TEXT.filter((s) => text.includes(s)); }, { timeout: 30_000 }).toEqual(MEMBERS_ONLY_TEXT);

    // Linus's page holds none of them in memory, on screen or in what it received.
    expect(await inMemory(linus.page, secrets)).toEqual([]);
    const received = await receivedBy(linus);
    expect(received).toContain(after);
    expect(secrets.filter((s) => received.includes(s))).toEqual([]);
    expect(await linus.page.locator('body').innerText()).not.toContain(written);
    expect(linus.errors).toEqual([]);
    expect(ada.errors).toEqual([]);

    // Nor in his local database: both engines close, so their files can be read raw.
    await Promise.all([closeEngine(ada.page), closeEngine(linus.page)]);
    await expect.poll(async () => (await inBrowserStorage(ada.page, secrets)).found.sort(), { timeout: 30_000 }).toEqual([...secrets].sort());
    // He does have a local database, with the review he may read in it, and every file readable.
    // Any of its texts will do: one may straddle a WAL page boundary, whose header splits it.
    const readable = [after, SEEDED_REVIEWS[0]!.title, ...SEEDED_REVIEWS[0]!.comments.map((c) => c.message)];
    await expect.poll(async () => { const { found, locked } = await inBrowserStorage(linus.page, readable); return { some: found.length > 0, locked }; }, { timeout: 30_000 }).toEqual({ some: true, locked: 0 });
    const db = await inBrowserStorage(linus.page, secrets);
    expect(db.found).toEqual([]);
    expect(db.bytes).toBeGreaterThan(0);
  }, 180_000);
});
