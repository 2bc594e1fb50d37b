import { sideOf, type CommentEntity, type Side } from './comments.js';

/** A root comment and its replies, oldest first. */
export interface Thread {
  readonly root: CommentEntity;
  readonly replies: readonly CommentEntity[];
}

/** Where a thread sits: a side and a line of one file. */
export function anchorKey(side: Side, line: number): string {
  return `${side}:${line}`;
}

const byTime = (a: CommentEntity, b: CommentEntity) => (a.updatedAt ?? 0) - (b.updatedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The comments of one file by anchor. A reply sits with its root wherever the reply says it is
 * (replies copy the root's anchor), so a thread never splits.
 */
export function commentsByAnchor(comments: readonly CommentEntity[], filePath: string): Map<string, CommentEntity[]> {
  const roots = new Map<string, CommentEntity>();
  for (const comment of comments) if (comment.data.filePath === filePath && comment.data.parentId === undefined) roots.set(comment.id, comment);
  const map = new Map<string, CommentEntity[]>();
  for (const comment of comments) {
    if (comment.data.filePath !== filePath) continue;
    const root = comment.data.parentId !== undefined ? roots.get(comment.data.parentId) : undefined;
    const at = root ?? comment;
    const key = anchorKey(sideOf(at), at.data.lineNumber);
    const list = map.get(key);
    if (list) list.push(comment);
    else map.set(key, [comment]);
  }
  return map;
}

/**
 * The threads among `comments` (one anchor's), oldest first. A reply whose root is missing (not
 * synced yet, or gone) stands as a thread of its own; deleted replies are left out, and a deleted
 * root is kept only while it has replies (shown as "deleted", so they keep their context).
 */
export function buildThreads(comments: readonly CommentEntity[]): Thread[] {
  const ids = new Set(comments.map((c) => c.id));
  const replies = new Map<string, CommentEntity[]>();
  const roots: CommentEntity[] = [];
  for (const comment of comments) {
    const parent = comment.data.parentId;
    if (parent !== undefined && ids.has(parent)) {
      if (comment.data.deleted) continue;
      const list = replies.get(parent);
      if (list) list.push(comment);
      else replies.set(parent, [comment]);
    } else roots.push(comment);
  }
  return roots
    .sort(byTime)
    .map((root) => ({ root, replies: (replies.get(root.id) ?? []).sort(byTime) }))
    .filter((thread) => !thread.root.data.deleted || thread.replies.length > 0);
}

/** Comments a reader sees (not deleted): the gutter's count. */
export function visibleCount(comments: readonly CommentEntity[] | undefined): number {
  let n = 0;
  for (const comment of comments ?? []) if (!comment.data.deleted) n++;
  return n;
}
