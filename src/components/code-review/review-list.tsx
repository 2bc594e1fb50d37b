import { useId, useMemo, useState } from 'react';
import { useKalphiteInstance, useQuery } from '../../react/index.js';
import { Markdown } from '../markdown/index.js';
import { readOnlyReason as reasonFor, useGuardedWrite, useSpaceId, useSpaceInfo } from '../space.js';
import { KalphiteStyles } from '../theme/styles.js';
import { relativeTime } from '../time.js';
import { useNow } from '../use-now.js';
import { CommentForm } from './comment-form.js';
import { addReview, isReview, isVerdict, setReviewStatus, STATUS_LABEL, submitVerdict, type ReviewEntity, type Verdict, type VerdictEntity } from './reviews.js';

export interface ReviewListProps {
  readonly currentUser: string;
  /** The space whose reviews are listed and where new ones go (default: the engine's default space). */
  readonly space?: string;
  readonly now?: number;
  /** Names this list's landmark when a page shows several (default: its heading). */
  readonly label?: string;
}

const VERDICT_TEXT: Record<Verdict, { readonly open: string; readonly label: string; readonly submit: string; readonly past: string }> = {
  approved: { open: 'Approve', label: 'Summary of your approval (optional)', submit: 'Submit approval', past: 'approved' },
  changes_requested: { open: 'Request changes', label: 'What needs to change', submit: 'Submit change request', past: 'requested changes' },
};

/**
 * Reviews with their status and verdicts, a verdict form (approve or request changes, with a
 * summary in Markdown, stored as a `verdict` entity), and a form to open a new review; all
 * disabled, with the reason, in a read-only space.
 */
export function ReviewList({ currentUser, space: spaceProp, now: fixedNow, label }: ReviewListProps) {
  const { store } = useKalphiteInstance();
  const space = useSpaceId(spaceProp);
  const readOnlyReason = useSpaceInfo(space).writable === false ? reasonFor(space) : null;
  const now = useNow(fixedNow);
  const spaceReviews = useQuery('review', { space });
  const spaceVerdicts = useQuery('verdict', { space });
  const reviews = useMemo(() => spaceReviews.filter(isReview), [spaceReviews]);
  const verdicts = useMemo(() => spaceVerdicts.filter(isVerdict), [spaceVerdicts]);
  const byReview = useMemo(() => {
    const map = new Map<string, VerdictEntity[]>();
    for (const verdict of verdicts) {
      const list = map.get(verdict.data.reviewId);
      if (list) list.push(verdict);
      else map.set(verdict.data.reviewId, [verdict]);
    }
    for (const list of map.values()) list.sort((a, b) => (b.updatedAt ?? 0) - (a.updatedAt ?? 0));
    return map;
  }, [verdicts]);
  const { write, error } = useGuardedWrite();
  const headingId = useId();
  return (
    <section className="kalphite kalphite-review-list" {...(label ? { 'aria-label': label } : { 'aria-labelledby': headingId })}>
      <KalphiteStyles />
      <h2 id={headingId} className="kalphite-heading">
        Reviews ({reviews.length})
      </h2>
      {reviews.length === 0 ? (
        <p className="kalphite-muted">No reviews yet.</p>
      ) : (
        <ul className="kalphite-reviews">
          {reviews.map((review) => (
            <ReviewCard key={review.id} review={review} verdicts={byReview.get(review.id) ?? []} now={now} readOnlyReason={readOnlyReason} onVerdict={(verdict, summary) => write(() => submitVerdict(store, review, verdict, summary, currentUser))} onReset={() => write(() => setReviewStatus(store, review, 'pending'))} />
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
        markdownHint={false}
        disabledReason={readOnlyReason}
        onSubmit={(title) => write(() => addReview(store, { title, authorId: currentUser }, { space }))}
      />
    </section>
  );
}

interface ReviewCardProps {
  readonly review: ReviewEntity;
  readonly verdicts: readonly VerdictEntity[];
  readonly now: number;
  readonly readOnlyReason: string | null;
  readonly onVerdict: (verdict: Verdict, summary: string) => boolean;
  readonly onReset: () => boolean;
}

function ReviewCard({ review, verdicts, now, readOnlyReason, onVerdict, onReset }: ReviewCardProps) {
  const [giving, setGiving] = useState<Verdict | null>(null);
  const readOnly = readOnlyReason !== null;
  const { title, status, authorId } = review.data;
  return (
    <li className="kalphite-review">
      <div>
        <strong>{title}</strong> <span className={`kalphite-status kalphite-status-${status}`}>{STATUS_LABEL[status]}</span>
      </div>
      <div className="kalphite-muted">
        by {authorId}
        {review.updatedAt !== undefined && ` · ${relativeTime(review.updatedAt, now)}`}
      </div>
      {verdicts.length > 0 && (
        <ul className="kalphite-verdicts" aria-label={`Verdicts on ${title}`}>
          {verdicts.slice(0, 3).map((verdict) => (
            <li key={verdict.id} className={`kalphite-verdict kalphite-verdict-${verdict.data.verdict}`}>
              <div className="kalphite-comment-meta">
                <strong>{verdict.data.authorId}</strong>
                <span>{VERDICT_TEXT[verdict.data.verdict].past}</span>
                {verdict.updatedAt !== undefined && <span>{relativeTime(verdict.updatedAt, now)}</span>}
              </div>
              {verdict.data.summary && <Markdown>{verdict.data.summary}</Markdown>}
            </li>
          ))}
        </ul>
      )}
      {giving && !readOnly ? (
        <CommentForm
          label={`${VERDICT_TEXT[giving].label} for ${title}`}
          submitLabel={VERDICT_TEXT[giving].submit}
          allowEmpty={giving === 'approved'}
          onSubmit={(summary) => {
            const written = onVerdict(giving, summary);
            if (written) setGiving(null);
            return written;
          }}
          onCancel={() => setGiving(null)}
        />
      ) : (
        <div className="kalphite-actions" role="group" aria-label={`Review ${title}`}>
          {(['approved', 'changes_requested'] as const).map((verdict) => (
            <button key={verdict} type="button" className="kalphite-button" disabled={readOnly} aria-expanded={false} onClick={() => setGiving(verdict)}>
              {VERDICT_TEXT[verdict].open}
            </button>
          ))}
          {status !== 'pending' && (
            <button type="button" className="kalphite-button" disabled={readOnly} onClick={onReset}>
              Reset to pending
            </button>
          )}
        </div>
      )}
    </li>
  );
}
