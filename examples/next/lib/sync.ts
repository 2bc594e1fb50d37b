import { createSyncCore, openBackend, type SyncCore } from 'kalphite/server';

/**
 * The app's one sync core, shared by the sync route and the pages that render with its data. Kept
 * on globalThis: Next compiles routes and pages as separate modules, and they must share one
 * database (a second `memory://` core would be another, empty, server).
 */
const shared = globalThis as typeof globalThis & { kalphiteCore?: Promise<SyncCore> };

export function syncCore(): Promise<SyncCore> {
  shared.kalphiteCore ??= (async () =>
    createSyncCore({
      backend: await openBackend(process.env.KALPHITE_DB ?? 'memory://'),
      // Everyone shares the default space; `private:<id>` is its owner's alone.
      authorize: ({ user, space }) => !space.startsWith('private:') || space === `private:${user.id}`,
    }))();
  return shared.kalphiteCore;
}
