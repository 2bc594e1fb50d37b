import { withSpace, type Entity } from '../protocol/entity.js';
import { SNAPSHOT_VERSION, type KalphiteSnapshot, type SpaceSnapshot } from '../protocol/snapshot.js';
import type { SyncBackend } from './backend.js';
import type { SyncUser } from './identity.js';
import type { PermissionCheck } from './permissions.js';

/** Which spaces a server render reads (`core.snapshot`). */
export interface SnapshotRequest {
  /** The spaces the page shows (default: the default space). */
  readonly spaces?: readonly string[];
}

export type SnapshotReader = (spaces: readonly string[], user: SyncUser) => Promise<KalphiteSnapshot>;

/**
 * A server render's read (`protocol/snapshot.ts`): each space the user may read, its live entities
 * and its version, in one read transaction per space (a consistent picture of it). Rule 1 of
 * SPACES.md holds as for a pull, except that a space the user may not read is left out rather than
 * a 403: the page still renders, and the client's own pull of it answers `forbidden`.
 */
export function snapshotReader(backendOf: (space: string) => Promise<SyncBackend>, may: PermissionCheck): SnapshotReader {
  return async (spaces, user) => {
    const read = await Promise.all(
      spaces.map(async (space): Promise<SpaceSnapshot | null> => {
        if (!(await may(user, space, 'read'))) return null;
        const backend = await backendOf(space);
        return backend.transaction('read', async (tx) => {
          const [head] = await tx.query<{ version: number | null }>(`SELECT (SELECT version FROM kalphite_spaces WHERE space_id = $1) AS version`, [space]);
          const rows = await tx.query<{ value: Entity }>(`SELECT value FROM kalphite_entities WHERE space_id = $1 AND NOT deleted ORDER BY key`, [space]);
          return { space, version: Number(head?.version ?? 0), entities: rows.map((row) => withSpace(row.value, space)) };
        });
      }),
    );
    return { snapshotVersion: SNAPSHOT_VERSION, spaces: read.filter((space): space is SpaceSnapshot => space !== null) };
  };
}
