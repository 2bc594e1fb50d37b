import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectTwoEnginesSyncThrough } from '../test-support/sync-through.js';
import { startExpressExample, type ExampleServer } from './server.js';

let server: ExampleServer;
beforeAll(async () => {
  server = await startExpressExample({ port: 0 });
});
afterAll(() => server.close());

describe('Express 5', () => {
  it('serves the sync routes: two signed-in engines sync through it (push, pull, pokes)', () => expectTwoEnginesSyncThrough(server.url));
});
