import { delay, getResponse, http, type HttpHandler } from 'msw';
import { authenticateDemo, authorizeDemo } from '../../demo/access.js';
import { seedReviews } from '../../demo/seed.js';
import { demoHeaders, demoUser } from '../../demo/users.js';
import type { Entity, KalphiteOptions } from '../../src/engine/index.js';
import { createMockSyncServer, type MockSyncServer } from '../../mocks/index.js';
import { FILE_PATH, SAMPLE_CODE, STORY_NOW } from './sample-data.js';

export interface ReviewServerOptions {
  /** Extra comments seeded into `review:store`: a space large enough for its first load to take pages. */
  readonly bulkComments?: number;
  /** Every pull waits this long first (a slow network), so a first load's progress can be watched. */
  readonly pullDelayMs?: number;
}

export interface ReviewServer {
  /** For a story's `parameters.msw.handlers`. */
  readonly handlers: readonly HttpHandler[];
  /** Takes a user's write access away everywhere, from the next request on (as an admin would). */
  revokeWrite(userId: string): void;
}

/**
 * The demo's sync server for a story: the real server core behind MSW with the demo's users
 * (bearer tokens), its review ACL and its seeded reviews. Created on the story's first request, so
 * a story file's servers cost nothing until a story uses one.
 */
export function reviewServer(options: ReviewServerOptions = {}): ReviewServer {
  const revoked = new Set<string>();
  let server: Promise<MockSyncServer> | null = null;
  const start = () =>
    (server ??= (async () => {
      const mock = createMockSyncServer({
        authenticate: authenticateDemo,
        authorize: (request) => !(request.action === 'write' && revoked.has(request.user.id)) && authorizeDemo(request),
      });
      const core = await mock.ready;
      await seedReviews(core, STORY_NOW);
      if (options.bulkComments) await seedBulk(core, options.bulkComments);
      return mock;
    })());
  return {
    handlers: [
      http.all('*/api/sync/:route', async ({ request, params }) => {
        const mock = await start();
        if (params.route === 'pull' && options.pullDelayMs) await delay(options.pullDelayMs);
        return getResponse([...mock.handlers], request);
      }),
    ],
    revokeWrite: (userId) => revoked.add(userId),
  };
}

/** `count` comments on the sample file in `review:store`, pushed by a member in one go. */
async function seedBulk(core: Awaited<MockSyncServer['ready']>, count: number): Promise<void> {
  const lines = SAMPLE_CODE.split('\n').length;
  const mutations = Array.from({ length: count }, (_, i) => {
    const entity: Entity = {
      id: `bulk-${i}`,
      type: 'comment',
      space: 'review:store',
      data: { message: `Bulk comment ${i}`, lineNumber: (i % lines) + 1, filePath: FILE_PATH, authorId: `user-${i % 12}`, resolved: false },
      updatedAt: STORY_NOW - i * 1000,
    };
    return { clientID: 'bulk-seed', id: i + 1, name: 'upsert', args: { ...entity }, timestamp: STORY_NOW };
  });
  await core.push({ pushVersion: 1, clientGroupID: 'bulk-seed', profileID: 'bulk-seed', schemaVersion: '', mutations }, { user: { id: 'ada' }, space: 'review:store' });
}

/** Engine options for a story's engine signed in as a demo user, with `spaces` open from the start. */
export function signedIn(userId: string, spaces: readonly string[], extra: KalphiteOptions = {}): KalphiteOptions {
  const user = demoUser(userId);
  if (!user) throw new Error(`No demo user ${userId}.`);
  return {
    syncUrl: '/api/sync',
    syncHeaders: () => demoHeaders(user),
    spaces,
    defaultSpace: spaces[0],
    flushDelayMs: 0,
    pushDelayMs: 0,
    pullIntervalMs: 10_000,
    ...extra,
  };
}
