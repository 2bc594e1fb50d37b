import { jsonEqual } from '../../protocol/json.js';
import type { Mirror, Outbox } from './ports.js';
import { pullPages } from './pull-pages.js';

/** Whether memory equals the server, leaving out entities with local writes still on their way. */
export interface Verification {
  readonly matches: boolean;
  readonly serverEntities: number;
  readonly missingLocally: readonly string[];
  readonly missingOnServer: readonly string[];
  readonly different: readonly string[];
  /** Entities skipped because they have writes the server has not acknowledged yet. */
  readonly pending: number;
}

export interface VerifyOptions {
  readonly space: string;
  readonly outbox: Outbox;
  readonly mirror: Mirror;
  readonly pageSize: number;
  readonly post: (body: string) => Promise<string>;
}

/** Every outbox row, however long the outbox: an unacknowledged id is skipped, not a difference. */
const ALL_ROWS = 1_000_000;

/** Reads one space's whole state on the server (applying nothing) and compares it with memory. */
export async function verify({ space, outbox, mirror, pageSize, post }: VerifyOptions): Promise<Verification> {
  // A client group of its own, so this read never changes what the real client is told.
  const group = (await outbox.ensureSpace(space)).clientGroupId;
  const pulled = await pullPages({ space, clientGroupID: `${group}:verify`, profileID: outbox.profileId, schemaVersion: String(outbox.appSchemaVersion), cookie: null, limit: pageSize, post });
  const server = new Map<string, unknown>();
  for (const [id, value] of pulled.writes) if (value !== undefined) server.set(id, value);
  const unacknowledged = new Set((await outbox.unsyncedChanges(ALL_ROWS)).map((entry) => entry.entityId));
  const isPending = (id: string) => unacknowledged.has(id) || mirror.isPending(id);
  const missingLocally: string[] = [];
  const missingOnServer: string[] = [];
  const different: string[] = [];
  let pending = 0;
  for (const [id, value] of server) {
    if (isPending(id)) pending++;
    else if (mirror.get(id) === undefined) missingLocally.push(id);
    else if (!jsonEqual(mirror.get(id), value)) different.push(id);
  }
  for (const id of mirror.ids(space)) {
    if (server.has(id)) continue;
    if (isPending(id)) pending++;
    else missingOnServer.push(id);
  }
  return {
    matches: missingLocally.length + missingOnServer.length + different.length === 0,
    serverEntities: server.size,
    missingLocally,
    missingOnServer,
    different,
    pending,
  };
}
