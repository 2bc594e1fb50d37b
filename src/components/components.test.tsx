import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createKalphite, type Kalphite } from '../engine/index.js';
import { KalphiteProvider } from '../react/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { CodeReview, FileView, ReviewList } from './code-review/index.js';
import { Dashboard } from './dashboard/index.js';
import { SyncStatusBadge } from './sync-status/index.js';

const engines: Kalphite[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(engines.splice(0).map((k) => k.close()));
});

async function setup(ui: ReactNode, spaces?: readonly string[]) {
  const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000, ...(spaces && { spaces, defaultSpace: spaces[0] }) });
  engines.push(k);
  const view = render(<KalphiteProvider kalphite={k}>{ui}</KalphiteProvider>);
  return { k, view };
}

const CODE = 'const a = 1;\nconst b = 2;\nexport { a, b };';
const NOW = Date.UTC(2026, 10, 26, 12);

async function commentOnLine(line: number, message: string) {
  await act(async () => fireEvent.click(screen.getByRole('button', { name: new RegExp(`^Comment on line ${line}`) })));
  fireEvent.change(screen.getByLabelText(`Your comment on line ${line}`), { target: { value: message } });
  await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Comment' })));
}

describe('FileView', () => {
  it('a reviewer clicks a line to comment; the comment is stored and shown in that line’s thread', async () => {
    const { k } = await setup(<FileView filePath="/src/a.ts" code={CODE} currentUser="ada" now={NOW} />);
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
    await commentOnLine(2, 'Why 2?');
    const thread = screen.getByRole('group', { name: 'Comments on line 2' });
    expect(within(thread).getByText('Why 2?')).toBeTruthy();
    const [stored] = k.store.getByType('comment');
    expect(stored?.data).toEqual({ message: 'Why 2?', lineNumber: 2, filePath: '/src/a.ts', authorId: 'ada', resolved: false });
    expect(stored?.id).toMatch(/^comment-/);
    expect(screen.getByRole('button', { name: 'Comment on line 2 (1 comment)' })).toBeTruthy();
  });

  it('edits, resolves and deletes softly, with an undo', async () => {
    const { k } = await setup(<FileView filePath="/src/a.ts" code={CODE} currentUser="ada" now={NOW} />);
    await commentOnLine(1, 'typo');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Edit comment by ada: typo' })));
    fireEvent.change(screen.getByLabelText('Edit comment by ada'), { target: { value: 'no typo after all' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(screen.getByText('no typo after all')).toBeTruthy();
    expect(screen.getByText('edited')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Resolve thread by ada: no typo after all' })));
    expect((k.store.getByType('comment')[0]?.data as { resolved: boolean }).resolved).toBe(true);
    expect(screen.getByText('Resolved')).toBeTruthy();
    // A resolved thread folds; open it to reach its comment.
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Show' })));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Delete comment by ada: no typo after all' })));
    const [deleted] = k.store.getByType('comment');
    expect(deleted?.data).toMatchObject({ message: 'no typo after all', deleted: true });
    expect(screen.queryByRole('group', { name: 'Comments on line 1' })).toBeNull();
    expect(screen.getByRole('status').textContent).toContain('Deleted a comment on line 1.');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Undo' })));
    expect(k.store.getByType('comment')[0]?.data).toMatchObject({ deleted: false });
    expect(screen.getByRole('group', { name: 'Comments on line 1' })).toBeTruthy();
  });

  it('replies stay in their thread; a deleted root keeps its replies', async () => {
    const { k } = await setup(<FileView filePath="/src/a.ts" code={CODE} currentUser="grace" now={NOW} />);
    await commentOnLine(3, 'Export both?');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Reply' })));
    fireEvent.change(screen.getByLabelText('Reply on line 3'), { target: { value: 'Yes, both.' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Reply' })));
    const root = k.store.getByType('comment').find((c) => (c.data as { message: string }).message === 'Export both?')!;
    const reply = k.store.getByType('comment').find((c) => (c.data as { message: string }).message === 'Yes, both.');
    expect(reply?.data).toMatchObject({ parentId: root.id, lineNumber: 3, filePath: '/src/a.ts' });
    expect(screen.getAllByRole('article')).toHaveLength(1);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Delete comment by grace: Export both?' })));
    expect(screen.getByText('This comment was deleted.')).toBeTruthy();
    expect(screen.getByText('Yes, both.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Comment on line 3 (1 comment)' })).toBeTruthy();
  });

  it('renders Markdown safely: raw HTML as text, no javascript: link', async () => {
    const { view } = await setup(<FileView filePath="/src/a.ts" code={CODE} currentUser="mallory" now={NOW} />);
    await commentOnLine(3, '<img src=x onerror=alert(1)> [click](javascript:alert(2)) **bold**');
    expect(screen.getByText(/<img src=x onerror=alert\(1\)>/)).toBeTruthy();
    expect(view.container.querySelector('img')).toBeNull();
    expect(view.container.querySelector('a')).toBeNull();
    expect(screen.getByText('bold').tagName).toBe('STRONG');
  });

  it('folds long threads and shows only comments of its own file', async () => {
    const { k } = await setup(<FileView filePath="/src/a.ts" code={CODE} currentUser="ada" now={NOW} />);
    await act(async () => {
      k.store.batch(() => {
        for (let i = 0; i < 10; i++) k.store.entities.set(`c${i}`, { id: `c${i}`, type: 'comment', data: { message: `note ${i}`, lineNumber: 1, filePath: '/src/a.ts', authorId: 'bob' }, updatedAt: i });
        k.store.entities.set('other', { id: 'other', type: 'comment', data: { message: 'elsewhere', lineNumber: 1, filePath: '/src/b.ts', authorId: 'bob' } });
      });
    });
    expect(screen.queryByText('elsewhere')).toBeNull();
    expect(screen.getAllByText(/^note \d$/)).toHaveLength(3);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Show all 10 comments' })));
    expect(screen.getAllByText(/^note \d$/)).toHaveLength(10);
  });
});

const OLD = Array.from({ length: 30 }, (_, i) => `const v${i + 1} = ${i + 1};`).join('\n');
const NEW = OLD.replace('const v5 = 5;', 'const v5 = 50;').replace('const v25 = 25;\n', '');

describe('FileView with a change', () => {
  it('shows added and removed lines, folds the rest, and expands it', async () => {
    await setup(<FileView filePath="/src/v.ts" oldCode={OLD} code={NEW} currentUser="ada" now={NOW} />);
    expect(screen.getByText('+1')).toBeTruthy();
    expect(screen.getByText('−2')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Comment on old line 5' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Comment on line 5' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Comment on line 15' })).toBeNull();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Expand 13 unchanged lines' })));
    expect(screen.getByRole('button', { name: 'Comment on line 15' })).toBeTruthy();
  });

  it('a thread on the old side stays on its line in the unified and the split view', async () => {
    const { k } = await setup(<FileView filePath="/src/v.ts" oldCode={OLD} code={NEW} currentUser="ada" now={NOW} />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Comment on old line 5' })));
    fireEvent.change(screen.getByLabelText('Your comment on old line 5'), { target: { value: 'Why 50?' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Comment' })));
    expect(k.store.getByType('comment')[0]?.data).toMatchObject({ side: 'old', lineNumber: 5 });
    const row = () => screen.getByRole('group', { name: 'Comments on old line 5' }).closest('li');
    expect(row()?.textContent).toContain('const v5 = 5;');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Split' })));
    expect(screen.getByRole('button', { name: 'Split' }).getAttribute('aria-pressed')).toBe('true');
    expect(row()?.textContent).toContain('const v5 = 5;');
    expect(row()?.textContent).toContain('const v5 = 50;');
  });

  it('reads a unified diff', async () => {
    const patch = ['--- a/src/v.ts', '+++ b/src/v.ts', '@@ -4,3 +4,3 @@', ' const v4 = 4;', '-const v5 = 5;', '+const v5 = 50;', ' const v6 = 6;', ''].join('\n');
    await setup(<FileView filePath="/src/v.ts" diff={patch} currentUser="ada" now={NOW} />);
    expect(screen.getByText('3 unchanged lines not in the diff')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Comment on old line 5' })).toBeTruthy();
  });

  it('moves between threads with n and p, replies with r and resolves with x', async () => {
    const { k } = await setup(<FileView filePath="/src/a.ts" code={CODE} currentUser="ada" now={NOW} />);
    await act(async () => {
      k.store.batch(() => {
        k.store.entities.set('t1', { id: 't1', type: 'comment', data: { message: 'first', lineNumber: 1, filePath: '/src/a.ts', authorId: 'bob' }, updatedAt: 1 });
        k.store.entities.set('t2', { id: 't2', type: 'comment', data: { message: 'second', lineNumber: 3, filePath: '/src/a.ts', authorId: 'bob' }, updatedAt: 2 });
      });
    });
    const file = screen.getByRole('region', { name: 'File /src/a.ts' });
    const [first, second] = screen.getAllByRole('article');
    fireEvent.keyDown(file, { key: 'n' });
    expect(document.activeElement).toBe(first);
    fireEvent.keyDown(first!, { key: 'n' });
    expect(document.activeElement).toBe(second);
    fireEvent.keyDown(second!, { key: 'p' });
    expect(document.activeElement).toBe(first);
    await act(async () => fireEvent.keyDown(first!, { key: 'x' }));
    expect(k.store.getById('t1')?.data).toMatchObject({ resolved: true });
    await act(async () => fireEvent.keyDown(second!, { key: 'r' }));
    expect(screen.getByLabelText('Reply on line 3')).toBeTruthy();
  });
});

describe('CodeReview in a space', () => {
  it('shows only its space’s comments and reviews, and writes new ones there', async () => {
    const { k } = await setup(<CodeReview space="review:b" filePath="/src/a.ts" code={CODE} currentUser="ada" now={NOW} />, ['review:a', 'review:b']);
    await act(async () => {
      k.store.batch(() => {
        k.store.entities.set('in-a', { id: 'in-a', type: 'comment', space: 'review:a', data: { message: 'in space a', lineNumber: 1, filePath: '/src/a.ts', authorId: 'bob' } });
        k.store.entities.set('in-b', { id: 'in-b', type: 'comment', space: 'review:b', data: { message: 'in space b', lineNumber: 1, filePath: '/src/a.ts', authorId: 'bob' } });
        k.store.entities.set('review-a', { id: 'review-a', type: 'review', space: 'review:a', data: { title: 'Review A', status: 'pending', authorId: 'bob' } });
      });
    });
    expect(screen.getByText('in space b')).toBeTruthy();
    expect(screen.queryByText('in space a')).toBeNull();
    expect(screen.getByText('No reviews yet.')).toBeTruthy();
    await commentOnLine(2, 'Goes to b');
    const written = k.store.getByType('comment').find((c) => (c.data as { message: string }).message === 'Goes to b');
    expect(written?.space).toBe('review:b');
    fireEvent.change(screen.getByLabelText('New review title'), { target: { value: 'Review B' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Open review' })));
    expect(k.store.getByType('review').find((r) => r.id !== 'review-a')?.space).toBe('review:b');
  });
});

describe('ReviewList', () => {
  it('opens a review and records verdicts with summaries; the status follows', async () => {
    const { k } = await setup(<ReviewList currentUser="ada" now={NOW} />);
    expect(screen.getByText('No reviews yet.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('New review title'), { target: { value: 'Memory-first store' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Open review' })));
    expect(screen.getByText('Pending')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Approve' })));
    fireEvent.change(screen.getByLabelText('Summary of your approval (optional) for Memory-first store'), { target: { value: 'Ship it: **tests** pass.' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Submit approval' })));
    expect(screen.getByText('Approved')).toBeTruthy();
    expect((k.store.getByType('review')[0]?.data as { status: string }).status).toBe('approved');
    const [verdict] = k.store.getByType('verdict');
    expect(verdict?.data).toEqual({ reviewId: k.store.getByType('review')[0]?.id, verdict: 'approved', summary: 'Ship it: **tests** pass.', authorId: 'ada' });
    expect(screen.getByText('tests').tagName).toBe('STRONG');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Request changes' })));
    // A change request needs a summary.
    expect((screen.getByRole('button', { name: 'Submit change request' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('What needs to change for Memory-first store'), { target: { value: 'A test for the backoff.' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Submit change request' })));
    expect(screen.getByText('Changes requested')).toBeTruthy();
    expect(k.store.getByType('verdict')).toHaveLength(2);
  });
});

describe('Dashboard', () => {
  it('counts comments, reviews, pending reviews and recent activity, and lists the feed', async () => {
    const { k } = await setup(<Dashboard now={NOW} locale="en-US" />);
    await act(async () => {
      k.store.batch(() => {
        k.store.entities.set('c1', { id: 'c1', type: 'comment', data: { message: 'hi', lineNumber: 3, filePath: '/a.ts', authorId: 'ada' }, updatedAt: NOW - 60_000 });
        k.store.entities.set('c2', { id: 'c2', type: 'comment', data: { message: 'old', lineNumber: 4, filePath: '/a.ts', authorId: 'bob' }, updatedAt: NOW - 3_600_000 });
        k.store.entities.set('r1', { id: 'r1', type: 'review', data: { title: 'Store', status: 'pending', authorId: 'ada' }, updatedAt: NOW - 1000 });
        k.store.entities.set('r2', { id: 'r2', type: 'review', data: { title: 'Sync', status: 'approved', authorId: 'bob' }, updatedAt: NOW - 2000 });
      });
    });
    const value = (title: string) => screen.getByText(title).nextElementSibling?.textContent;
    expect([value('Comments'), value('Reviews'), value('Pending reviews'), value('Recent activity')]).toEqual(['2', '2', '1', '3']);
    expect(screen.getByText('Review “Store” is pending')).toBeTruthy();
    // The last 24 hours by hour: the last bar is the hour now is in; both comments are in the one before.
    const bars = within(screen.getByRole('group', { name: /^Comments per author, last 24 hours/ })).getAllByRole('img');
    expect(bars).toHaveLength(24);
    expect(bars.at(-1)?.getAttribute('aria-label')).toMatch(/: 0 comments$/);
    expect(bars.at(-2)?.getAttribute('aria-label')).toMatch(/: 2 comments \(ada 1, bob 1\)$/);
    expect(screen.getByText('· 2 comments')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Last hour' }));
    expect(within(screen.getByRole('group', { name: /^Comments per author, last hour/ })).getAllByRole('img')).toHaveLength(12);
  });
});

describe('SyncStatusBadge', () => {
  it('says the engine is local only without a sync server', async () => {
    await setup(<SyncStatusBadge now={NOW} />);
    expect(screen.getByRole('status').textContent).toContain('Local only');
  });
});
