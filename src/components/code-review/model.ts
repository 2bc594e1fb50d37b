import type { Entity, KalphiteStore } from '../../engine/index.js';

/** The seed's `comment` entity: a note on one line of one file. */
export type CommentData = {
  readonly message: string;
  readonly lineNumber: number;
  readonly filePath: string;
  readonly authorId: string;
  readonly resolved?: boolean;
};

export type ReviewStatus = 'pending' | 'approved' | 'changes_requested';

/** The seed's `review` entity. */
export type ReviewData = {
  readonly title: string;
  readonly status: ReviewStatus;
  readonly authorId: string;
};

export type CommentEntity = Entity<CommentData>;
export type ReviewEntity = Entity<ReviewData>;

export const REVIEW_STATUSES: readonly ReviewStatus[] = ['pending', 'approved', 'changes_requested'];
export const STATUS_LABEL: Record<ReviewStatus, string> = { pending: 'Pending', approved: 'Approved', changes_requested: 'Changes requested' };

/** Comments and reviews come from the network too: read their data defensively. */
export function isComment(entity: Entity): entity is CommentEntity {
  const data = entity.data as Partial<CommentData> | null;
  return entity.type === 'comment' && typeof data === 'object' && data !== null && typeof data.message === 'string' && typeof data.lineNumber === 'number' && typeof data.filePath === 'string';
}

export function isReview(entity: Entity): entity is ReviewEntity {
  const data = entity.data as Partial<ReviewData> | null;
  return entity.type === 'review' && typeof data === 'object' && data !== null && REVIEW_STATUSES.includes(data.status as ReviewStatus);
}

function newId(prefix: string): string {
  return `${prefix}-${globalThis.crypto.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`}`;
}

/** Where a new entity goes: its space (default: the engine's default space) and its `updatedAt`. */
export interface NewEntityOptions {
  readonly space?: string;
  readonly now?: number;
}

/** Writes a new comment (one id, used as key and as `id`). Throws the store's typed error (`read-only-space`, `space-not-open`) when the space takes no writes. */
export function addComment(store: KalphiteStore, data: Omit<CommentData, 'resolved'>, { space, now = Date.now() }: NewEntityOptions = {}): string {
  const id = newId('comment');
  store.entities.set(id, { id, type: 'comment', data: { ...data, resolved: false }, updatedAt: now, ...(space !== undefined && { space }) });
  return id;
}

/** An update keeps the entity's space (it never changes). */
export function updateComment(store: KalphiteStore, comment: CommentEntity, patch: Partial<CommentData>, now = Date.now()): void {
  store.entities.set(comment.id, { ...comment, data: { ...comment.data, ...patch }, updatedAt: now });
}

export function addReview(store: KalphiteStore, data: Omit<ReviewData, 'status'>, { space, now = Date.now() }: NewEntityOptions = {}): string {
  const id = newId('review');
  store.entities.set(id, { id, type: 'review', data: { ...data, status: 'pending' }, updatedAt: now, ...(space !== undefined && { space }) });
  return id;
}

export function setReviewStatus(store: KalphiteStore, review: ReviewEntity, status: ReviewStatus, now = Date.now()): void {
  store.entities.set(review.id, { ...review, data: { ...review.data, status }, updatedAt: now });
}

/** Whether two lists hold the same entity objects in the same order (for memoised rows). */
export function sameEntities(a: readonly Entity[] | undefined, b: readonly Entity[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((entity, i) => entity === b[i]);
}
