// Kalphite's sync routes in an Express 5 app.
// Run it: `npx tsx --tsconfig examples/tsconfig.json examples/express/server.ts`.
import cookieParser from 'cookie-parser';
import express, { type Request } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createNodeListener, createSyncCore, createSyncHandler, openBackend, type SyncBackend } from 'kalphite/server';

const SECRET = process.env.SESSION_SECRET ?? 'a development secret: set SESSION_SECRET';
/** Stand-ins for your users and your sign-in. */
const USERS = new Set(['ada', 'bob']);

export interface ExampleServer {
  /** The origin; engines take `${url}/api/sync` as their `syncUrl`. */
  readonly url: string;
  close(): Promise<void>;
}

/** `db`: a `postgres://` URL, a PGlite folder, `memory://`, or a backend of your own (the test's). */
export async function startExpressExample({ port = 3000, db = process.env.KALPHITE_DB ?? 'memory://' }: { port?: number; db?: string | SyncBackend } = {}): Promise<ExampleServer> {
  const core = await createSyncCore({
    backend: await openBackend(db),
    // Everyone shares the default space; `private:<id>` is its owner's alone.
    authorize: ({ user, space }) => !space.startsWith('private:') || space === `private:${user.id}`,
  });
  // The sync handler is given a fetch Request; this hands it Express's own request, as parsed
  // by its middleware (cookie-parser here; passport's req.user or express-session work the same).
  const current = new AsyncLocalStorage<Request>();
  const sync = createSyncHandler({
    core,
    authenticate: () => {
      const id: unknown = current.getStore()?.signedCookies.session;
      return typeof id === 'string' && USERS.has(id) ? { id } : null;
    },
  });
  const listener = createNodeListener(sync);

  const app = express();
  app.use(cookieParser(SECRET));
  // Before any body parser: the sync handler reads its own body (and refuses one over its limit).
  app.all('/api/sync/*path', (req, res) => current.run(req, () => listener(req, res)));
  app.post('/login', express.json(), (req, res) => {
    const user: unknown = req.body?.user;
    if (typeof user !== 'string' || !USERS.has(user)) {
      res.status(401).json({ error: 'unknown user' });
      return;
    }
    res.cookie('session', user, { signed: true, httpOnly: true, sameSite: 'lax' }).json({ user });
  });

  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(port, '127.0.0.1', (error) => (error ? reject(error) : resolve(listening)));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      sync.closeStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await core.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await startExpressExample({ port: Number(process.env.PORT ?? 3000) });
  console.log(`Express + Kalphite on ${url} (POST /login {"user":"ada"}, then sync at ${url}/api/sync)`);
}
