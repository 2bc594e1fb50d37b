import { useId } from 'react';
import { useKalphiteInstance } from '../../react/index.js';
import { readOnlyReason as reasonFor, useGuardedWrite, useSpaceEntities, useSpaceId, useSpaceInfo } from '../space.js';
import { KalphiteStyles } from '../theme/styles.js';
import { relativeTime } from '../time.js';
import { useNow } from '../use-now.js';
import { CommentForm } from './comment-form.js';
import { addReview, isReview, REVIEW_STATUSES, setReviewStatus, STATUS_LABEL, type ReviewStatus } from './model.js';

export interface ReviewListProps {
  readonly currentUser: string;
  /** The space whose reviews are listed and where new ones go (default: the engine's default space). */
  readonly space?: string;
  readonly now?: number;
  /** Names this list's landmark when a page shows several (default: its heading). */
  readonly label?: string;
}

const ACTION: Record<ReviewStatus, string> = { pending: 'Reset to pending', approved: 'Approve', changes_requested: 'Request changes' };

/** Reviews with their status, actions to change it, and a form to open a new one; all disabled, with the reason, in a read-only space. */
export function ReviewList({ currentUser, space: spaceProp, now: fixedNow, label }: ReviewListProps) {
  const { store } = useKalphiteInstance();
  const space = useSpaceId(spaceProp);
  const readOnlyReason = useSpaceInfo(space).writable === false ? reasonFor(space) : null;
  const now = useNow(fixedNow);
  const reviews = useSpaceEntities('review', space, isReview);
  const { write, error } = useGuardedWrite();
  const headingId = useId();
  return (
    <section className="kalphite" {...(label ? { 'aria-label': label } : { 'aria-labelledby': headingId })}>
      <KalphiteStyles />
      <h2 id={headingId} className="kalphite-heading">
        Reviews ({reviews.length})
      </h2>
      {reviews.length === 0 ? (
        <p className="kalphite-muted">No reviews yet.</p>
      ) : (
        <ul className="kalphite-reviews">
          {reviews.map((review) => (
            <li key={review.id} className="kalphite-review">
              <div>
                <strong>{review.data.title}</strong> <span className={`kalphite-status kalphite-status-${review.data.status}`}>{STATUS_LABEL[review.data.status]}</span>
              </div>
              <div className="kalphite-muted">
                by {review.data.authorId}
                {review.updatedAt !== undefined && ` · ${relativeTime(review.updatedAt, now)}`}
              </div>
              <div className="kalphite-actions" role="group" aria-label={`Change status of ${review.data.title}`}>
                {REVIEW_STATUSES.filter((status) => status !== review.data.status).map((status) => (
                  <button key={status} type="button" className="kalphite-button" disabled={readOnlyReason !== null} onClick={() => write(() => setReviewStatus(store, review, status))}>
                    {ACTION[status]}
                  </button>
                ))}
              </div>
            </li>
          ))}
        </ul>
      )}
      {error !== null && (
        <p role="alert" className="kalphite-notice kalphite-notice-danger">
          Not saved: {error}
        </p>
      )}
      <CommentForm
        label="New review title"
        submitLabel="Open review"
        autoFocus={false}
        disabledReason={readOnlyReason}
        onSubmit={(title) => write(() => addReview(store, { title, authorId: currentUser }, { space }))}
      />
    </section>
  );
}
