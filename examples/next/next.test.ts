import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFrameworkProcess, type FrameworkProcess } from '../test-support/framework-process.js';
import { expectTwoEnginesSyncThrough } from '../test-support/sync-through.js';

const next = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));

let server: FrameworkProcess;
beforeAll(async () => {
  // `next dev`: a production build would add a minute to every run for the same route handler.
  server = await startFrameworkProcess([process.execPath, next, 'dev', '--hostname', '127.0.0.1', '--port', '{port}'], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    ready: /Ready in/,
    env: { NEXT_TELEMETRY_DISABLED: '1' },
  });
});
afterAll(() => server?.stop());

describe('Next.js App Router route handlers', () => {
  it('serve the sync routes: two signed-in engines sync through them (push, pull, pokes)', () => expectTwoEnginesSyncThrough(server.url));
});
