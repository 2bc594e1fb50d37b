import type { Entity } from '../src/engine/index.js';
import type { SyncCore } from '../src/server/index.js';

/**
 * The demo's reviews, as the server holds them: each review's file, status and comments are
 * entities of its space, pushed at start-up by a member through the real server core. Server-only:
 * the page never imports this, so a review's text reaches a page only by a pull its user may make.
 */

/** A file under review, as an entity of the review's space. */
export interface FileData {
  readonly path: string;
  readonly code: string;
  /** The file before the change under review, when the review is of a change. */
  readonly oldCode?: string;
}

interface SeededReview {
  readonly space: string;
  /** The member who writes the seed (the server binds the seed's client group to them). */
  readonly by: string;
  readonly title: string;
  readonly file: FileData;
  readonly comments: readonly { readonly line: number; readonly authorId: string; readonly message: string }[];
}

const STORE_CODE = `import { assertEntity, type Entity } from './entity.js';

/** Layer 1: synchronous reads and writes over memory. */
export class MemoryStore {
  readonly #entities = new Map<string, Entity>();

  getById(id: string): Entity | null {
    return this.#entities.get(id) ?? null;
  }

  set(id: string, entity: Entity): void {
    assertEntity(id, entity);
    this.#entities.set(id, entity);
  }
}`;

/** The store before the review's change: \`undefined\` for a missing id, and no check before a write. */
const STORE_OLD_CODE = STORE_CODE.replace('Entity | null', 'Entity | undefined').replace(' ?? null;', ';').replace('    assertEntity(id, entity);\n', '');

const AUTH_CODE = `import { timingSafeEqual } from 'node:crypto';

/** Bearer tokens of the deploy bot, checked in constant time. */
export function checkDeployToken(given: Buffer, expected: Buffer): boolean {
  // The hotfix for the token-length leak in the deploy hook.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}`;

/** Readable by everyone signed in, writable by its members. */
const STORE_REVIEW: SeededReview = {
  space: 'review:store',
  by: 'ada',
  title: 'Memory-first store',
  file: { path: '/src/engine/store.ts', code: STORE_CODE, oldCode: STORE_OLD_CODE },
  comments: [
    { line: 5, authorId: 'grace', message: 'Why a private field here?' },
    { line: 5, authorId: 'ada', message: 'So nothing can bypass assertEntity.' },
  ],
};

/** Visible to its members only. */
const AUTH_REVIEW: SeededReview = {
  space: 'review:auth',
  by: 'ada',
  title: 'Deploy hook token-length leak (embargoed)',
  file: { path: '/src/server/deploy-token.ts', code: AUTH_CODE },
  comments: [{ line: 5, authorId: 'ada', message: 'Embargoed until the advisory: the deploy hook leaked the token length.' }],
};

export const SEEDED_REVIEWS: readonly SeededReview[] = [STORE_REVIEW, AUTH_REVIEW];

/** Text of the members-only review that no other user's page may ever receive (the e2e test searches for it). */
export const MEMBERS_ONLY_TEXT: readonly string[] = [AUTH_REVIEW.title, AUTH_REVIEW.file.path, 'checkDeployToken', ...AUTH_REVIEW.comments.map((c) => c.message)];

/** Pushes every review's entities into its space as its member, once, through the real core. */
export async function seedReviews(core: SyncCore, now = Date.now()): Promise<void> {
  for (const review of SEEDED_REVIEWS) {
    const entities: Entity[] = [
      { id: `${review.space}/review`, type: 'review', space: review.space, data: { title: review.title, status: 'pending', authorId: review.by }, updatedAt: now - 3_600_000 },
      { id: `${review.space}/file`, type: 'file', space: review.space, data: { ...review.file }, updatedAt: now - 3_600_000 },
      ...review.comments.map((c, i): Entity => ({
        id: `${review.space}/comment-${i + 1}`,
        type: 'comment',
        space: review.space,
        data: { message: c.message, lineNumber: c.line, filePath: review.file.path, authorId: c.authorId, resolved: false },
        updatedAt: now - (30 - i * 10) * 60_000,
      })),
    ];
    const client = `demo-seed:${review.space}`;
    const outcome = await core.push(
      {
        pushVersion: 1,
        clientGroupID: client,
        profileID: 'demo-seed',
        schemaVersion: '',
        mutations: entities.map((entity, i) => ({ clientID: client, id: i + 1, name: 'upsert', args: { ...entity }, timestamp: now })),
      },
      { user: { id: review.by }, space: review.space },
    );
    const [refused] = outcome.refused;
    if (refused) throw new Error(`Seeding ${review.space} was refused: ${refused.reason}`);
  }
}
