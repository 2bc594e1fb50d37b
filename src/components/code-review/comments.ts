import type { Entity, KalphiteStore } from '../../engine/index.js';
import { newEntityId, type NewEntityOptions } from './entity-id.js';

/** Which text of a change a comment is on: the file before it (`old`) or after it (`new`). */
export type Side = 'old' | 'new';

/**
 * The seed's `comment` entity: a note on one line of one file, in Markdown. A thread is a root
 * comment (no `parentId`) and its replies; `resolved` is the root's. A thread is anchored to a side
 * and a line: switching views or expanding context never moves it. Deleting is soft (`deleted`), so
 * replies keep their thread and undoing a delete is an ordinary write.
 */
export type CommentData = {
  readonly message: string;
  readonly lineNumber: number;
  readonly filePath: string;
  readonly authorId: string;
  /** Absent means `new`: the seed's comments are on the file as it is. */
  readonly side?: Side;
  /** The thread's root, for a reply. */
  readonly parentId?: string;
  readonly resolved?: boolean;
  readonly deleted?: boolean;
  /** When the message was last edited (the writer's clock), shown as "edited". */
  readonly editedAt?: number;
};

export type CommentEntity = Entity<CommentData>;

/** Comments come from the network too: read their data defensively. */
export function isComment(entity: Entity): entity is CommentEntity {
  const data = entity.data as Partial<CommentData> | null;
  return (
    entity.type === 'comment' &&
    typeof data === 'object' &&
    data !== null &&
    typeof data.message === 'string' &&
    typeof data.lineNumber === 'number' &&
    typeof data.filePath === 'string' &&
    (data.side === undefined || data.side === 'old' || data.side === 'new') &&
    (data.parentId === undefined || typeof data.parentId === 'string')
  );
}

export function sideOf(comment: CommentEntity): Side {
  return comment.data.side ?? 'new';
}

/** Writes a new comment (one id, used as key and as `id`). Throws the store's typed error (`read-only-space`, `space-not-open`) when the space takes no writes. */
export function addComment(
  store: KalphiteStore,
  data: Omit<CommentData, 'resolved' | 'deleted' | 'editedAt'>,
  { space, now = Date.now() }: NewEntityOptions = {},
): string {
  const id = newEntityId('comment');
  const { side, parentId, ...rest } = data;
  // Each kit write is one tagged batch: the tag is what Undo names ("Undo delete comment").
  store.batch(
    () =>
      store.entities.set(id, {
        id,
        type: 'comment',
        data: { ...rest, ...(side === 'old' && { side }), ...(parentId !== undefined && { parentId }), resolved: false },
        updatedAt: now,
        ...(space !== undefined && { space }),
      }),
    { tag: parentId === undefined ? 'Add comment' : 'Reply' },
  );
  return id;
}

/** A reply goes on its thread's line and side, in the root's space. */
export function replyToComment(store: KalphiteStore, root: CommentEntity, message: string, authorId: string, now = Date.now()): string {
  const { lineNumber, filePath } = root.data;
  return addComment(store, { message, lineNumber, filePath, authorId, side: sideOf(root), parentId: root.id }, { ...(root.space !== undefined && { space: root.space }), now });
}

/** An update keeps the entity's space (it never changes); `tag` names it for Undo. */
export function updateComment(store: KalphiteStore, comment: CommentEntity, patch: Partial<CommentData>, now = Date.now(), tag = 'Edit comment'): void {
  store.batch(() => store.entities.set(comment.id, { ...comment, data: { ...comment.data, ...patch }, updatedAt: now }), { tag });
}

export function editComment(store: KalphiteStore, comment: CommentEntity, message: string, now = Date.now()): void {
  updateComment(store, comment, { message, editedAt: now }, now, 'Edit comment');
}

/** Resolving or reopening a thread is its root's `resolved`. */
export function resolveThread(store: KalphiteStore, root: CommentEntity, resolved: boolean, now = Date.now()): void {
  updateComment(store, root, { resolved }, now, resolved ? 'Resolve thread' : 'Reopen thread');
}

/** Soft: the comment stays, marked deleted, so its replies keep their thread and an undo is one more write. */
export function deleteComment(store: KalphiteStore, comment: CommentEntity, now = Date.now()): void {
  updateComment(store, comment, { deleted: true }, now, 'Delete comment');
}

export function restoreComment(store: KalphiteStore, comment: CommentEntity, now = Date.now()): void {
  updateComment(store, comment, { deleted: false }, now, 'Restore comment');
}
