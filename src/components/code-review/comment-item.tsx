import { useState } from 'react';
import { Markdown } from '../markdown/index.js';
import { relativeTime } from '../time.js';
import { CommentForm } from './comment-form.js';
import { deleteComment, editComment, type CommentEntity } from './comments.js';
import type { ReviewActions } from './review-context.js';

export interface CommentItemProps {
  readonly comment: CommentEntity;
  readonly actions: ReviewActions;
}

/** One comment: its author, when, its Markdown, and edit and delete (disabled, with the reason, in a read-only space). */
export function CommentItem({ comment, actions }: CommentItemProps) {
  const { store, now, readOnlyReason, write, onDeleted } = actions;
  const [editing, setEditing] = useState(false);
  const { message, authorId, editedAt, deleted } = comment.data;
  const readOnly = readOnlyReason !== null;
  if (deleted) {
    return (
      <li className="kalphite-comment kalphite-comment-deleted">
        <p className="kalphite-muted">This comment was deleted.</p>
      </li>
    );
  }
  // A space that turns read-only mid-edit closes the editor: its save could only be refused.
  const showEditor = editing && !readOnly;
  const short = message.length > 60 ? `${message.slice(0, 60)}…` : message;
  return (
    <li className="kalphite-comment">
      <div className="kalphite-comment-meta">
        <strong>{authorId}</strong>
        {comment.updatedAt !== undefined && <span>{relativeTime(comment.updatedAt, now)}</span>}
        {editedAt !== undefined && <span>edited</span>}
      </div>
      {showEditor ? (
        <CommentForm
          label={`Edit comment by ${authorId}`}
          initial={message}
          submitLabel="Save"
          onSubmit={(text) => {
            const written = write(() => editComment(store, comment, text));
            if (written) setEditing(false);
            return written;
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <Markdown>{message}</Markdown>
      )}
      {!showEditor && (
        <div className="kalphite-actions">
          <button type="button" className="kalphite-button kalphite-button-small" disabled={readOnly} onClick={() => setEditing(true)} aria-label={`Edit comment by ${authorId}: ${short}`}>
            Edit
          </button>
          <button
            type="button"
            className="kalphite-button kalphite-button-small kalphite-button-danger"
            disabled={readOnly}
            onClick={() => {
              if (write(() => deleteComment(store, comment))) onDeleted(comment);
            }}
            aria-label={`Delete comment by ${authorId}: ${short}`}
          >
            Delete
          </button>
        </div>
      )}
    </li>
  );
}
