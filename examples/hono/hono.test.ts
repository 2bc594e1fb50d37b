import { afterAll, beforeAll, describe, it } from 'vitest';
import { createPGliteBackend } from 'kalphite/server';
import { freshPGlite } from '../../src/test-support/pglite.js';
import { expectTwoEnginesSyncThrough } from '../test-support/sync-through.js';
import { startHonoExample, type ExampleServer } from './server.js';

let server: ExampleServer;
beforeAll(async () => {
  // A clone of the engines' template database: one PGlite initdb for the whole file.
  server = await startHonoExample({ port: 0, db: await createPGliteBackend(await freshPGlite()) });
});
afterAll(() => server.close());

describe('Hono on Node', () => {
  it('serves the sync routes: two signed-in engines sync through it (push, pull, pokes)', () => expectTwoEnginesSyncThrough(server.url));
});
