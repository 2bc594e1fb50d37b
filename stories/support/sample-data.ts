import type { CommentData } from '../../src/components/index.js';
import type { KalphiteStore } from '../../src/engine/index.js';

export const FILE_PATH = '/src/engine/store.ts';

export const SAMPLE_CODE = `import { assertEntity, type Entity } from './entity.js';

/** Layer 1: synchronous reads and writes over memory. */
export class MemoryStore {
  readonly #entities = new Map<string, Entity>();
  #version = 0;

  getById(id: string): Entity | null {
    return this.#entities.get(id) ?? null;
  }

  set(id: string, entity: Entity): void {
    assertEntity(id, entity);
    this.#entities.set(id, entity);
    this.#version++;
  }
}`;

/** One clock per page load, so seeded data reads "2 min ago" and relative times do not tick during a test. */
export const STORY_NOW = Math.floor(Date.now() / 60_000) * 60_000;

/** The seed's two reviews and three comments, one thread each (no replies). */
export function seedReview(store: KalphiteStore): void {
  store.batch(() => {
    store.entities.set('review-1', { id: 'review-1', type: 'review', data: { title: 'Memory-first store', status: 'pending', authorId: 'ada' }, updatedAt: STORY_NOW - 30 * 60_000 });
    store.entities.set('review-2', { id: 'review-2', type: 'review', data: { title: 'Flusher backoff', status: 'approved', authorId: 'grace' }, updatedAt: STORY_NOW - 2 * 60_000 });
    store.entities.set('comment-1', { id: 'comment-1', type: 'comment', data: { message: 'Why a private field here?', lineNumber: 5, filePath: FILE_PATH, authorId: 'grace', resolved: false }, updatedAt: STORY_NOW - 20 * 60_000 });
    store.entities.set('comment-2', { id: 'comment-2', type: 'comment', data: { message: 'So subclasses cannot bypass the index.', lineNumber: 5, filePath: FILE_PATH, authorId: 'ada', resolved: false }, updatedAt: STORY_NOW - 3 * 60_000 });
    store.entities.set('comment-3', { id: 'comment-3', type: 'comment', data: { message: 'Validate before writing: nothing half-written.', lineNumber: 13, filePath: FILE_PATH, authorId: 'linus', resolved: true }, updatedAt: STORY_NOW - 60_000 });
  });
}

/** `count` comments spread over every line of the sample file. */
export function seedManyComments(store: KalphiteStore, count: number): void {
  const lines = SAMPLE_CODE.split('\n').length;
  store.batch(() => {
    for (let i = 0; i < count; i++) {
      const id = `bulk-${i}`;
      store.entities.set(id, { id, type: 'comment', data: { message: `Bulk comment ${i}`, lineNumber: (i % lines) + 1, filePath: FILE_PATH, authorId: `user-${i % 12}`, resolved: i % 7 === 0 }, updatedAt: STORY_NOW - (i % 3600) * 1000 });
    }
  });
}

/** The sample file before the change under review (SAMPLE_CODE is after it). */
export const SAMPLE_OLD_CODE = `import type { Entity } from './entity.js';

/** Layer 1: reads and writes over memory. */
export class MemoryStore {
  readonly entities = new Map<string, Entity>();

  getById(id: string): Entity | undefined {
    return this.entities.get(id);
  }

  set(id: string, entity: Entity): void {
    this.entities.set(id, entity);
  }
}`;

/** Threads with replies, a resolved thread, a comment on the old side, and a verdict. */
export function seedDiscussion(store: KalphiteStore): void {
  store.batch(() => {
    store.entities.set('review-1', { id: 'review-1', type: 'review', data: { title: 'Memory-first store', status: 'pending', authorId: 'ada' }, updatedAt: STORY_NOW - 30 * 60_000 });
    store.entities.set('review-2', { id: 'review-2', type: 'review', data: { title: 'Flusher backoff', status: 'approved', authorId: 'grace' }, updatedAt: STORY_NOW - 2 * 60_000 });
    store.entities.set('verdict-1', {
      id: 'verdict-1',
      type: 'verdict',
      data: { reviewId: 'review-2', verdict: 'approved', summary: 'Backoff doubles and caps at **30 s**, as `backoff.ts` promises.', authorId: 'linus' },
      updatedAt: STORY_NOW - 2 * 60_000,
    });
    const comment = (id: string, minutesAgo: number, data: Omit<CommentData, 'filePath'>) =>
      store.entities.set(id, { id, type: 'comment', data: { filePath: FILE_PATH, resolved: false, ...data }, updatedAt: STORY_NOW - minutesAgo * 60_000 });
    comment('comment-1', 20, { message: 'Why a *private* field here?', lineNumber: 5, authorId: 'grace' });
    comment('comment-2', 3, { message: 'So subclasses cannot bypass the index. See [the layout notes](https://example.com/layout).', lineNumber: 5, authorId: 'ada', parentId: 'comment-1' });
    comment('comment-3', 1, { message: 'Validate before writing: nothing half-written.', lineNumber: 13, authorId: 'linus', resolved: true });
    comment('comment-4', 8, { message: 'This returned `undefined`; callers now get `null`:\n\n- `getById`\n- `getByType`', lineNumber: 7, authorId: 'grace', side: 'old' });
  });
}

/** A month of review activity by five people, denser lately: comments, replies and verdicts (deterministic). */
export function seedActivity(store: KalphiteStore): void {
  const authors = ['ada', 'grace', 'linus', 'margaret', 'barbara'];
  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  store.batch(() => {
    seedReview(store);
    for (let i = 0; i < 240; i++) {
      // Skewed towards now: half of it in the last day.
      const ago = Math.floor(random() ** 3 * 30 * 86_400_000);
      const id = `activity-${i}`;
      const authorId = authors[Math.floor(random() ** 1.5 * authors.length)]!;
      store.entities.set(id, { id, type: 'comment', data: { message: `Note ${i}`, lineNumber: (i % 18) + 1, filePath: FILE_PATH, authorId, resolved: i % 3 === 0 }, updatedAt: STORY_NOW - ago });
    }
    for (let i = 0; i < 24; i++) {
      const id = `verdict-${i}`;
      const ago = Math.floor(random() ** 2 * 30 * 86_400_000);
      store.entities.set(id, {
        id,
        type: 'verdict',
        data: { reviewId: i % 2 ? 'review-1' : 'review-2', verdict: random() < 0.65 ? 'approved' : 'changes_requested', summary: '', authorId: authors[i % authors.length]! },
        updatedAt: STORY_NOW - ago,
      });
    }
  });
}
