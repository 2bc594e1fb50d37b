// Kalphite's sync routes as one TanStack Start server route: /api/sync/push, /pull and /poke.
import { createServerFileRoute } from '@tanstack/react-start/server';
import { createSyncCore, createSyncHandler, openBackend } from 'kalphite/server';
import { sessionUser } from '../../../session';

const sync = (async () => {
  const core = await createSyncCore({
    backend: await openBackend(process.env.KALPHITE_DB ?? 'memory://'),
    // Everyone shares the default space; `private:<id>` is its owner's alone.
    authorize: ({ user, space }) => !space.startsWith('private:') || space === `private:${user.id}`,
  });
  // sessionUser reads Start's session of the request being served: the handler runs inside it.
  return createSyncHandler({ core, authenticate: sessionUser });
})();

const handle = async ({ request }: { request: Request }): Promise<Response> => (await sync)(request);

export const ServerRoute = createServerFileRoute('/api/sync/$').methods({ GET: handle, POST: handle, OPTIONS: handle });
