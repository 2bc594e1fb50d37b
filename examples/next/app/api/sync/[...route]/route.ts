// Kalphite's sync routes as one App Router route handler: /api/sync/push, /pull and /poke.
import { cookies } from 'next/headers';
import { createSyncCore, createSyncHandler, openBackend } from 'kalphite/server';
import { sessionUser } from '../../../../lib/session';

const sync = (async () => {
  const core = await createSyncCore({
    backend: await openBackend(process.env.KALPHITE_DB ?? 'memory://'),
    // Everyone shares the default space; `private:<id>` is its owner's alone.
    authorize: ({ user, space }) => !space.startsWith('private:') || space === `private:${user.id}`,
  });
  // cookies() is Next's own request API: it works here because the handler runs inside the route's request.
  return createSyncHandler({ core, authenticate: async () => sessionUser((await cookies()).get('session')?.value) });
})();

const handle = async (request: Request): Promise<Response> => (await sync)(request);
export { handle as GET, handle as POST, handle as OPTIONS };
// Never cached or prerendered: every push, pull and poke stream is its own request.
export const dynamic = 'force-dynamic';
