// Kalphite's sync routes as one App Router route handler: /api/sync/push, /pull and /poke.
import { cookies } from 'next/headers';
import { createSyncHandler } from 'kalphite/server';
import { sessionUser } from '../../../../lib/session';
import { syncCore } from '../../../../lib/sync';

const sync = (async () =>
  // cookies() is Next's own request API: it works here because the handler runs inside the route's request.
  createSyncHandler({ core: await syncCore(), authenticate: async () => sessionUser((await cookies()).get('session')?.value) }))();

const handle = async (request: Request): Promise<Response> => (await sync)(request);
export { handle as GET, handle as POST, handle as OPTIONS };
// Never cached or prerendered: every push, pull and poke stream is its own request.
export const dynamic = 'force-dynamic';
