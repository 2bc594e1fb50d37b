// Kalphite's sync routes in a Hono app on Node (@hono/node-server).
// Run it: `npx tsx --tsconfig examples/tsconfig.json examples/hono/server.ts`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { contextStorage, getContext } from 'hono/context-storage';
import { getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createSyncCore, createSyncHandler, openBackend, type SyncBackend } from 'kalphite/server';

const SECRET = process.env.SESSION_SECRET ?? 'a development secret: set SESSION_SECRET';
/** Stand-ins for your users and your sign-in. */
const USERS = new Set(['ada', 'bob']);

export interface ExampleServer {
  /** The origin; engines take `${url}/api/sync` as their `syncUrl`. */
  readonly url: string;
  close(): Promise<void>;
}

/** `db`: a `postgres://` URL, a PGlite folder, `memory://`, or a backend of your own (the test's). */
export async function startHonoExample({ port = 3000, db = process.env.KALPHITE_DB ?? 'memory://' }: { port?: number; db?: string | SyncBackend } = {}): Promise<ExampleServer> {
  const core = await createSyncCore({
    backend: await openBackend(db),
    // Everyone shares the default space; `private:<id>` is its owner's alone.
    authorize: ({ user, space }) => !space.startsWith('private:') || space === `private:${user.id}`,
  });
  const sync = createSyncHandler({
    core,
    // Hono's own signed-cookie session, read from this request's context (contextStorage below).
    authenticate: async () => {
      const id = await getSignedCookie(getContext(), SECRET, 'session');
      return typeof id === 'string' && USERS.has(id) ? { id } : null;
    },
  });

  const app = new Hono();
  app.use(contextStorage());
  app.post('/login', async (c) => {
    const { user } = await c.req.json<{ user?: unknown }>();
    if (typeof user !== 'string' || !USERS.has(user)) return c.json({ error: 'unknown user' }, 401);
    await setSignedCookie(c, 'session', user, SECRET, { httpOnly: true, sameSite: 'Lax', path: '/' });
    return c.json({ user });
  });
  app.all('/api/sync/*', (c) => sync(c.req.raw));

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      sync.closeStreams();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await core.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await startHonoExample({ port: Number(process.env.PORT ?? 3000) });
  console.log(`Hono + Kalphite on ${url} (POST /login {"user":"ada"}, then sync at ${url}/api/sync)`);
}
