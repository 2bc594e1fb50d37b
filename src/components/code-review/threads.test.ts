import { describe, expect, it } from 'vitest';
import type { CommentData, CommentEntity } from './comments.js';
import { buildThreads, commentsByAnchor, visibleCount } from './threads.js';

const comment = (id: string, at: number, data: Partial<CommentData> = {}): CommentEntity => ({
  id,
  type: 'comment',
  updatedAt: at,
  data: { message: id, lineNumber: 5, filePath: '/a.ts', authorId: 'ada', ...data },
});

describe('threads', () => {
  it('groups replies under their root, oldest first, at the root’s anchor', () => {
    const comments = [comment('reply-2', 30, { parentId: 'root' }), comment('root', 10), comment('reply-1', 20, { parentId: 'root' }), comment('old-side', 5, { side: 'old', lineNumber: 5 })];
    const anchors = commentsByAnchor(comments, '/a.ts');
    expect([...anchors.keys()].sort()).toEqual(['new:5', 'old:5']);
    const [thread] = buildThreads(anchors.get('new:5')!);
    expect(thread?.root.id).toBe('root');
    expect(thread?.replies.map((r) => r.id)).toEqual(['reply-1', 'reply-2']);
  });

  it('keeps a deleted root while it has replies; drops deleted replies and lone deleted roots', () => {
    const threads = buildThreads([
      comment('root', 1, { deleted: true }),
      comment('reply', 2, { parentId: 'root' }),
      comment('gone-reply', 3, { parentId: 'root', deleted: true }),
      comment('lone', 4, { deleted: true }),
    ]);
    expect(threads.map((t) => [t.root.id, t.replies.map((r) => r.id)])).toEqual([['root', ['reply']]]);
    expect(visibleCount([comment('a', 1), comment('b', 2, { deleted: true })])).toBe(1);
  });

  it('a reply whose root is missing stands alone', () => {
    expect(buildThreads([comment('orphan', 1, { parentId: 'not-here' })]).map((t) => t.root.id)).toEqual(['orphan']);
  });
});
