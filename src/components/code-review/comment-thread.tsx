import { memo, useState } from 'react';
import { useKalphiteInstance } from '../../react/index.js';
import { relativeTime } from '../time.js';
import { CommentForm } from './comment-form.js';
import { sameEntities, updateComment, type CommentEntity } from './model.js';

export interface CommentThreadProps {
  readonly comments: readonly CommentEntity[];
  readonly lineNumber: number;
  readonly now: number;
  /** Threads longer than this are folded behind "Show all" (keeps 5,000-comment files responsive). */
  readonly collapseAfter?: number;
  /** Why the comments cannot be changed (a read-only space): edit, resolve and delete are disabled. */
  readonly readOnlyReason?: string | null;
  /** Runs each write, so a caller can show what made one throw (default: run it). */
  readonly write?: (fn: () => void) => boolean;
}

const runWrite = (fn: () => void) => {
  fn();
  return true;
};

/** Every comment on one line, oldest first, with edit, delete and resolve. */
export const CommentThread = memo(function CommentThread({ comments, lineNumber, now, collapseAfter = 3, readOnlyReason = null, write = runWrite }: CommentThreadProps) {
  const [expanded, setExpanded] = useState(false);
  const shown = expanded ? comments : comments.slice(0, collapseAfter);
  return (
    <div role="group" aria-label={`Comments on line ${lineNumber}`}>
      <ul className="kalphite-thread">
        {shown.map((comment) => (
          <CommentItem key={comment.id} comment={comment} now={now} readOnlyReason={readOnlyReason} write={write} />
        ))}
      </ul>
      {comments.length > shown.length && (
        <button type="button" className="kalphite-button" onClick={() => setExpanded(true)}>
          Show all {comments.length} comments
        </button>
      )}
    </div>
  );
}, sameThread);

function sameThread(a: CommentThreadProps, b: CommentThreadProps): boolean {
  return (
    a.lineNumber === b.lineNumber &&
    a.now === b.now &&
    a.collapseAfter === b.collapseAfter &&
    a.readOnlyReason === b.readOnlyReason &&
    a.write === b.write &&
    sameEntities(a.comments, b.comments)
  );
}

interface CommentItemProps {
  readonly comment: CommentEntity;
  readonly now: number;
  readonly readOnlyReason: string | null;
  readonly write: (fn: () => void) => boolean;
}

function CommentItem({ comment, now, readOnlyReason, write }: CommentItemProps) {
  const { store } = useKalphiteInstance();
  const [editing, setEditing] = useState(false);
  const { message, authorId, resolved } = comment.data;
  const readOnly = readOnlyReason !== null;
  // A space that turns read-only mid-edit closes the editor: its save could only be refused.
  const showEditor = editing && !readOnly;
  return (
    <li className={`kalphite-comment${resolved ? ' kalphite-comment-resolved' : ''}`}>
      <div className="kalphite-comment-meta">
        <strong>{authorId}</strong>
        {comment.updatedAt !== undefined && <span>{relativeTime(comment.updatedAt, now)}</span>}
        {resolved && <span>Resolved</span>}
      </div>
      {showEditor ? (
        <CommentForm
          label={`Edit comment by ${authorId}`}
          initial={message}
          submitLabel="Save"
          onSubmit={(text) => {
            const written = write(() => updateComment(store, comment, { message: text }));
            if (written) setEditing(false);
            return written;
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <p className="kalphite-comment-message">{message}</p>
      )}
      {!showEditor && (
        <div className="kalphite-actions">
          <button type="button" className="kalphite-button" disabled={readOnly} onClick={() => setEditing(true)} aria-label={`Edit comment by ${authorId}: ${message}`}>
            Edit
          </button>
          <button
            type="button"
            className="kalphite-button"
            disabled={readOnly}
            onClick={() => write(() => updateComment(store, comment, { resolved: !resolved }))}
            aria-label={`${resolved ? 'Reopen' : 'Resolve'} comment by ${authorId}: ${message}`}
          >
            {resolved ? 'Reopen' : 'Resolve'}
          </button>
          <button
            type="button"
            className="kalphite-button kalphite-button-danger"
            disabled={readOnly}
            onClick={() => write(() => store.entities.delete(comment.id))}
            aria-label={`Delete comment by ${authorId}: ${message}`}
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}
