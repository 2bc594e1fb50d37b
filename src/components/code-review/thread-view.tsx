import { useState } from 'react';
import { CommentForm } from './comment-form.js';
import { CommentItem } from './comment-item.js';
import { replyToComment, resolveThread } from './comments.js';
import type { ReviewActions } from './review-context.js';
import type { Thread } from './threads.js';

export interface ThreadViewProps {
  readonly thread: Thread;
  /** "line 5" or "old line 5": where the thread is, for its name. */
  readonly where: string;
  readonly actions: ReviewActions;
}

/**
 * A thread: its root, its replies, a reply form and resolve. A resolved thread folds to one line
 * until opened. Focusable (the file view's n/p move between threads); inside it, r replies and x
 * resolves or reopens.
 */
export function ThreadView({ thread, where, actions }: ThreadViewProps) {
  const { root, replies } = thread;
  const { store, currentUser, readOnlyReason, write } = actions;
  const resolved = root.data.resolved === true;
  const [open, setOpen] = useState(!resolved);
  const [replying, setReplying] = useState(false);
  const readOnly = readOnlyReason !== null;
  const count = replies.length + (root.data.deleted ? 0 : 1);
  // The summary is plain text: Markdown's marks would show as typed.
  const plain = root.data.message.replace(/[*_`~#>]+/g, '').replace(/\s+/g, ' ').trim();
  const first = root.data.deleted ? 'a deleted comment' : `${root.data.authorId}: ${plain.length > 40 ? `${plain.slice(0, 40)}…` : plain}`;
  const shown = open || !resolved;
  return (
    <article
      className={`kalphite-thread${resolved ? ' kalphite-thread-resolved' : ''}`}
      data-kalphite-thread=""
      tabIndex={-1}
      aria-label={`Thread on ${where} by ${first}${resolved ? ' (resolved)' : ''}`}
      aria-keyshortcuts="r x"
    >
      {resolved && (
        <div className="kalphite-thread-summary">
          <span className="kalphite-status kalphite-status-approved">Resolved</span>
          <span className="kalphite-thread-summary-text">
            {first} · {count} comment{count === 1 ? '' : 's'}
          </span>
          <button type="button" className="kalphite-button kalphite-button-small" aria-expanded={shown} onClick={() => setOpen(!open)}>
            {shown ? 'Hide' : 'Show'}
          </button>
        </div>
      )}
      {shown && (
        <>
          <ul className="kalphite-comments">
            <CommentItem comment={root} actions={actions} />
            {replies.map((reply) => (
              <CommentItem key={reply.id} comment={reply} actions={actions} />
            ))}
          </ul>
          {replying && !readOnly ? (
            <CommentForm
              label={`Reply on ${where}`}
              submitLabel="Reply"
              onSubmit={(message) => {
                const written = write(() => replyToComment(store, root, message, currentUser));
                if (written) setReplying(false);
                return written;
              }}
              onCancel={() => setReplying(false)}
            />
          ) : (
            <div className="kalphite-actions">
              <button type="button" className="kalphite-button kalphite-button-small" data-kalphite-action="reply" disabled={readOnly} aria-keyshortcuts="r" onClick={() => setReplying(true)}>
                Reply
              </button>
              <button
                type="button"
                className="kalphite-button kalphite-button-small"
                data-kalphite-action="resolve"
                disabled={readOnly}
                aria-keyshortcuts="x"
                aria-label={`${resolved ? 'Reopen' : 'Resolve'} thread by ${first}`}
                onClick={() => {
                  if (write(() => resolveThread(store, root, !resolved))) setOpen(resolved);
                }}
              >
                {resolved ? 'Reopen' : 'Resolve'}
              </button>
            </div>
          )}
        </>
      )}
    </article>
  );
}
