import type { Entity, KalphiteStore } from '../../engine/index.js';
import { newEntityId, type NewEntityOptions } from './entity-id.js';

export type ReviewStatus = 'pending' | 'approved' | 'changes_requested';

/** The seed's `review` entity. Its status is the latest verdict's (or "pending" when reset). */
export type ReviewData = {
  readonly title: string;
  readonly status: ReviewStatus;
  readonly authorId: string;
};

export type ReviewEntity = Entity<ReviewData>;

/** What a reviewer concluded. */
export type Verdict = Exclude<ReviewStatus, 'pending'>;

/** A reviewer's verdict on a review, with a summary in Markdown: one entity per verdict given, so the history stays. */
export type VerdictData = {
  readonly reviewId: string;
  readonly verdict: Verdict;
  readonly summary: string;
  readonly authorId: string;
};

export type VerdictEntity = Entity<VerdictData>;

export const REVIEW_STATUSES: readonly ReviewStatus[] = ['pending', 'approved', 'changes_requested'];
export const VERDICTS: readonly Verdict[] = ['approved', 'changes_requested'];
export const STATUS_LABEL: Record<ReviewStatus, string> = { pending: 'Pending', approved: 'Approved', changes_requested: 'Changes requested' };

/** Reviews and verdicts come from the network too: read their data defensively. */
export function isReview(entity: Entity): entity is ReviewEntity {
  const data = entity.data as Partial<ReviewData> | null;
  return entity.type === 'review' && typeof data === 'object' && data !== null && typeof data.title === 'string' && REVIEW_STATUSES.includes(data.status as ReviewStatus);
}

export function isVerdict(entity: Entity): entity is VerdictEntity {
  const data = entity.data as Partial<VerdictData> | null;
  return (
    entity.type === 'verdict' &&
    typeof data === 'object' &&
    data !== null &&
    typeof data.reviewId === 'string' &&
    VERDICTS.includes(data.verdict as Verdict) &&
    typeof data.summary === 'string' &&
    typeof data.authorId === 'string'
  );
}

export function addReview(store: KalphiteStore, data: Omit<ReviewData, 'status'>, { space, now = Date.now() }: NewEntityOptions = {}): string {
  const id = newEntityId('review');
  store.entities.set(id, { id, type: 'review', data: { ...data, status: 'pending' }, updatedAt: now, ...(space !== undefined && { space }) });
  return id;
}

export function setReviewStatus(store: KalphiteStore, review: ReviewEntity, status: ReviewStatus, now = Date.now()): void {
  store.entities.set(review.id, { ...review, data: { ...review.data, status }, updatedAt: now });
}

/** Stores the verdict in the review's space and sets the review's status to it, in one commit. */
export function submitVerdict(store: KalphiteStore, review: ReviewEntity, verdict: Verdict, summary: string, authorId: string, now = Date.now()): string {
  const id = newEntityId('verdict');
  store.batch(() => {
    store.entities.set(id, { id, type: 'verdict', data: { reviewId: review.id, verdict, summary, authorId }, updatedAt: now, ...(review.space !== undefined && { space: review.space }) });
    setReviewStatus(store, review, verdict, now);
  });
  return id;
}
