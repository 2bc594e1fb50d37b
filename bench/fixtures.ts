import type { Entity } from '../src/engine/index.js';

/** Entities shaped like the code-review kit's comments. */
export function comments(n: number, revision = 0): Entity[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `comment-${i}`,
    type: i % 5 === 0 ? 'review' : 'comment',
    data: { message: `Comment ${i} rev ${revision}`, lineNumber: i % 400, filePath: `/src/file-${i % 30}.ts`, authorId: `user-${i % 7}` },
    updatedAt: 1_700_000_000_000 + i,
  }));
}
