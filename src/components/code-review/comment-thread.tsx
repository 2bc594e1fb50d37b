import { memo, useMemo, useState } from 'react';
import { useKalphiteInstance } from '../../react/index.js';
import type { CommentEntity, Side } from './comments.js';
import { useReviewActions, type ReviewActions } from './review-context.js';
import { sameEntities } from './same-entities.js';
import { ThreadView } from './thread-view.js';
import { buildThreads, visibleCount } from './threads.js';

export interface CommentThreadProps {
  /** The comments at one anchor (roots and replies, any order). */
  readonly comments: readonly CommentEntity[];
  readonly lineNumber: number;
  /** Which text the line is in (default `new`). */
  readonly side?: Side;
  readonly now: number;
  /** Threads beyond this many are folded behind "Show all" (keeps 5,000-comment files responsive). */
  readonly collapseAfter?: number;
  /** Why the comments cannot be changed (a read-only space): every control is disabled. */
  readonly readOnlyReason?: string | null;
  /** Runs each write, so a caller can show what made one throw (default: run it). */
  readonly write?: (fn: () => void) => boolean;
  /** Written as a reply's `authorId` (default: taken from the file view around it). */
  readonly currentUser?: string;
}

const runWrite = (fn: () => void) => {
  fn();
  return true;
};

/** Every thread on one line of one side, oldest first. Inside a file view it takes the view's user, clock and write rules. */
export const CommentThread = memo(function CommentThread({ comments, lineNumber, side = 'new', now, collapseAfter = 3, readOnlyReason = null, write = runWrite, currentUser }: CommentThreadProps) {
  const { store } = useKalphiteInstance();
  const around = useReviewActions();
  const actions: ReviewActions = useMemo(
    () => ({
      store,
      now,
      currentUser: currentUser ?? around?.currentUser ?? 'anonymous',
      readOnlyReason: readOnlyReason ?? around?.readOnlyReason ?? null,
      write: around?.write ?? write,
      onDeleted: around?.onDeleted ?? (() => {}),
    }),
    [store, now, currentUser, readOnlyReason, write, around],
  );
  const threads = useMemo(() => buildThreads(comments), [comments]);
  const [expanded, setExpanded] = useState(false);
  const where = `${side === 'old' ? 'old line' : 'line'} ${lineNumber}`;
  const shown = expanded ? threads : threads.slice(0, collapseAfter);
  if (threads.length === 0) return null;
  return (
    <div role="group" aria-label={`Comments on ${where}`} className="kalphite-threads">
      {shown.map((thread) => (
        <ThreadView key={thread.root.id} thread={thread} where={where} actions={actions} />
      ))}
      {threads.length > shown.length && (
        <button type="button" className="kalphite-button" onClick={() => setExpanded(true)}>
          Show all {visibleCount(comments)} comments
        </button>
      )}
    </div>
  );
}, sameThread);

function sameThread(a: CommentThreadProps, b: CommentThreadProps): boolean {
  return (
    a.lineNumber === b.lineNumber &&
    a.side === b.side &&
    a.now === b.now &&
    a.collapseAfter === b.collapseAfter &&
    a.readOnlyReason === b.readOnlyReason &&
    a.write === b.write &&
    a.currentUser === b.currentUser &&
    sameEntities(a.comments, b.comments)
  );
}
