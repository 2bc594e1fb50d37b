import { combineHashes, DIGEST_VERSION, entityHash, parseSpaceDigest, parseTypeHashes } from '../../protocol/digest.js';
import type { JsonValue } from '../../protocol/json.js';
import type { Cookie } from '../../protocol/pull.js';
import { KalphiteError } from '../errors.js';
import type { Mirror, Outbox } from './ports.js';

/** One entity type of a space, here and on the server. */
export interface TypeDivergence {
  readonly type: string;
  /** Entities of this type memory holds in the space. */
  readonly local: number;
  /** Entities of this type the server holds in the space (tombstones left out). */
  readonly server: number;
  /** The same ids with the same values on both sides (their digests are equal). */
  readonly agree: boolean;
  /** Entities of this type with local writes the server has not acknowledged: a difference they explain settles once they are. */
  readonly pending: number;
}

/** The ids of one type that differ between memory and the server. */
export interface DivergentIds {
  readonly type: string;
  /** On the server, not in memory. */
  readonly missingLocally: readonly string[];
  /** In memory, not on the server. */
  readonly missingOnServer: readonly string[];
  /** On both, with other values. */
  readonly different: readonly string[];
  /** Those of the ids above with local writes on their way (the difference may be those writes). */
  readonly pending: readonly string[];
}

/** What `sync.checkDivergence()` found: per type, memory against digests the server computed. */
export interface DivergenceReport {
  readonly space: string;
  /** The space's version on the server when it computed the digests. */
  readonly serverVersion: number;
  /** This client's cookie of the space then: a server version ahead of it holds changes not pulled yet. */
  readonly cookie: Cookie;
  /** Every type agrees. */
  readonly agree: boolean;
  /** Every type either side holds, in type order. */
  readonly types: readonly TypeDivergence[];
  /** With a type asked for: which of its ids differ. */
  readonly ids: DivergentIds | null;
}

export interface DivergenceOptions {
  readonly space: string;
  /** A type whose differing ids to name (its ids and hashes come from the server, page by page). */
  readonly type?: string | undefined;
  readonly outbox: Outbox;
  readonly mirror: Mirror;
  /** POSTs a digest body for the space; resolves to the answer's text (the transport's `post('digest', …)`). */
  readonly post: (body: string) => Promise<string>;
}

/** Every outbox row, however long the outbox (as verify reads it). */
const ALL_ROWS = 1_000_000;
/** A server that always says `more` is broken. */
const MAX_PAGES = 10_000;

/**
 * The divergence check: the server sums a hash of each entity per type (`protocol/digest.ts`), this
 * client does the same over memory, and a type agrees when both sums and counts do. Nothing but
 * counts and digests crosses the network — and, for the one type drilled into, an 8-byte hash per id.
 */
export async function checkDivergence({ space, type, outbox, mirror, post }: DivergenceOptions): Promise<DivergenceReport> {
  const local = new Map<string, Map<string, string>>();
  const pendingIds = await pending(outbox, mirror, space);
  const pendingByType = new Map<string, number>();
  for (const id of mirror.ids(space)) {
    const entity = mirror.get(id);
    if (!entity) continue;
    let hashes = local.get(entity.type);
    if (!hashes) local.set(entity.type, (hashes = new Map()));
    hashes.set(id, entityHash(entity as unknown as JsonValue));
  }
  for (const [id, entityType] of pendingIds) pendingByType.set(entityType, (pendingByType.get(entityType) ?? 0) + 1);

  const server = parseSpaceDigest(parseJson(await post(JSON.stringify({ digestVersion: DIGEST_VERSION }))));
  const serverTypes = new Map(server.types.map((t) => [t.type, t]));
  const names = [...new Set([...local.keys(), ...serverTypes.keys()])].sort();
  const types = names.map((name): TypeDivergence => {
    const here = local.get(name);
    const there = serverTypes.get(name);
    const localCount = here?.size ?? 0;
    const serverCount = there?.count ?? 0;
    const agree = localCount === serverCount && (localCount === 0 || combineHashes(here!.values()) === there!.digest);
    return { type: name, local: localCount, server: serverCount, agree, pending: pendingByType.get(name) ?? 0 };
  });
  // A delete not flushed yet is pending too, though memory no longer holds the id.
  const isPending = (id: string) => pendingIds.has(id) || mirror.isPending(id);
  const ids = type === undefined ? null : await divergentIds(type, local.get(type) ?? new Map(), isPending, post);
  return { space, serverVersion: server.version, cookie: outbox.spaces.get(space)?.cookie ?? null, agree: types.every((t) => t.agree), types, ids };
}

/** Compares the server's hash of each id of `type` with memory's. */
async function divergentIds(type: string, local: ReadonlyMap<string, string>, isPending: (id: string) => boolean, post: (body: string) => Promise<string>): Promise<DivergentIds> {
  const seen = new Set<string>();
  const missingLocally: string[] = [];
  const different: string[] = [];
  let after: string | undefined;
  for (let pages = 1; ; pages++) {
    if (pages > MAX_PAGES) throw new KalphiteError('protocol', 'The server kept sending more pages of hashes.');
    const page = parseTypeHashes(parseJson(await post(JSON.stringify({ digestVersion: DIGEST_VERSION, type, ...(after !== undefined && { after }) }))));
    for (const { id, hash } of page.hashes) {
      seen.add(id);
      const mine = local.get(id);
      if (mine === undefined) missingLocally.push(id);
      else if (mine !== hash) different.push(id);
    }
    after = page.hashes.at(-1)?.id;
    if (!page.more || after === undefined) break;
  }
  const missingOnServer = [...local.keys()].filter((id) => !seen.has(id));
  const pendingOnes = [...missingLocally, ...missingOnServer, ...different].filter(isPending);
  return { type, missingLocally: missingLocally.sort(), missingOnServer: missingOnServer.sort(), different: different.sort(), pending: pendingOnes.sort() };
}

/** Ids of `space` with a local write on its way (unacknowledged in the outbox, or not flushed yet), with their type. */
async function pending(outbox: Outbox, mirror: Mirror, space: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const entry of await outbox.unsyncedChanges(ALL_ROWS)) if (entry.space === space) ids.set(entry.entityId, entry.entityType);
  for (const id of mirror.ids(space)) {
    const entity = mirror.get(id);
    if (entity && mirror.isPending(id)) ids.set(id, entity.type);
  }
  return ids;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KalphiteError('protocol', 'The sync server sent a digest that is not JSON.');
  }
}
