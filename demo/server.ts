import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import react from '@vitejs/plugin-react';
import { createServer } from 'vite';
import { startSyncServer } from '../src/server/index.js';
import { authenticateDemo, authorizeDemo } from './access.js';
import { seedReviews } from './seed.js';

export interface Demo {
  /** Open this in a browser (`/?user=ada` signs in as Ada; `/` shows the sign-in). */
  readonly url: string;
  /** The sync server behind `/api/sync`. */
  readonly syncUrl: string;
  close(): Promise<void>;
}

/**
 * The demo: the real sync server (PGlite in memory, or `KALPHITE_DB`) with the demo's users and
 * review ACL (`access.ts`) and its two reviews seeded (`seed.ts`), and the app, served by Vite,
 * which forwards `/api/sync` (push, pull and the poke stream) to the sync server.
 */
export async function startDemo({ port = 5173, db = process.env.KALPHITE_DB ?? 'memory://' }: { port?: number; db?: string } = {}): Promise<Demo> {
  const sync = await startSyncServer({ db, authenticate: authenticateDemo, authorize: authorizeDemo });
  try {
    await seedReviews(sync.core);
    const vite = await createServer({
      configFile: false,
      root: import.meta.dirname,
      logLevel: 'warn',
      plugins: [react()],
      server: { port, strictPort: port !== 0, host: '127.0.0.1', proxy: { '/api/sync': { target: sync.url } } },
      // PGlite loads its wasm through import.meta.url, which pre-bundling would break.
      optimizeDeps: { exclude: ['@electric-sql/pglite'], include: ['react', 'react-dom', 'react-dom/client', 'zustand', 'zustand/vanilla', 'zustand/middleware'] },
    });
    await vite.listen();
    const url = vite.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? `http://127.0.0.1:${port}`;
    return {
      url,
      syncUrl: `${sync.url}/api/sync`,
      close: async () => {
        await vite.close();
        await sync.close();
      },
    };
  } catch (error) {
    await sync.close();
    throw error;
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const demo = await startDemo({ port: Number(process.env.PORT ?? 5173) });
  console.log(`Kalphite demo: ${demo.url}  (sync server ${demo.syncUrl})`);
  console.log('Sign in as Ada in one browser and as Linus in another (or a private window): Ada sees both reviews, Linus only reads the first.');
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
