import { createContext, useContext } from 'react';
import type { KalphiteStore } from '../../engine/index.js';
import type { CommentEntity } from './comments.js';

/** What every thread of one file view shares: who writes, when it is, whether writes are allowed, and how they run. */
export interface ReviewActions {
  readonly store: KalphiteStore;
  readonly currentUser: string;
  readonly now: number;
  /** Why nothing can be changed here (a read-only space), or null. */
  readonly readOnlyReason: string | null;
  /** Runs a write; false when it threw (the view shows why). */
  readonly write: (fn: () => void) => boolean;
  /** Heard after a comment is deleted, so the view can offer to undo it. */
  readonly onDeleted: (comment: CommentEntity) => void;
}

export const ReviewActionsContext = createContext<ReviewActions | null>(null);

export function useReviewActions(): ReviewActions | null {
  return useContext(ReviewActionsContext);
}
