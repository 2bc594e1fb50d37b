import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startFrameworkProcess, type FrameworkProcess } from '../test-support/framework-process.js';
import { expectTwoEnginesSyncThrough } from '../test-support/sync-through.js';

const vite = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url));

let server: FrameworkProcess;
beforeAll(async () => {
  // TanStack Start's dev server (a Vite plugin); its production build (nitro) would add a minute.
  server = await startFrameworkProcess([process.execPath, vite, 'dev', '--host', '127.0.0.1', '--port', '{port}', '--strictPort'], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    ready: /ready in/,
  });
});
afterAll(() => server?.stop());

describe('TanStack Start server routes', () => {
  it('serve the sync routes: two signed-in engines sync through them (push, pull, pokes)', () => expectTwoEnginesSyncThrough(server.url));
});
