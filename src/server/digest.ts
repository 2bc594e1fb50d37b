import { DIGEST_PAGE_SIZE, digestFromSum, type DigestRequest, type DigestResponse, type SpaceDigest, type TypeHashes } from '../protocol/digest.js';
import { ProtocolError } from '../protocol/errors.js';
import type { SqlExecutor, SyncBackend } from './backend.js';
import type { SyncUser } from './identity.js';
import type { PermissionCheck } from './permissions.js';

/**
 * The divergence check's server side (`protocol/digest.ts` says what a digest is): the database
 * hashes each entity's `jsonb` text and sums the hashes per type, so no entity leaves it. One read
 * transaction, one space, for a caller who may read it — the same rule 1 as a pull: a space the
 * caller may not read answers 403 and tells nothing of what it holds.
 */
export type DigestReader = (request: DigestRequest, user: SyncUser, space: string) => Promise<DigestResponse>;

// An entity's hash: the first 8 bytes of SHA-256 over its text (`value::text` is jsonb's canonical print).
const HASH = `substring(sha256(convert_to(value::text, 'UTF8')) from 1 for 8)`;

export function digestReader(backendOf: (space: string) => Promise<SyncBackend>, may: PermissionCheck): DigestReader {
  return async (request, user, space) => {
    if (!(await may(user, space, 'read'))) {
      throw new ProtocolError('forbidden', `User ${JSON.stringify(user.id)} may not read space ${JSON.stringify(space)}.`, { denied: 'read', space });
    }
    const backend = await backendOf(space);
    return backend.transaction('read', (tx): Promise<DigestResponse> => ('type' in request ? typeHashes(tx, space, request.type, request.after ?? null, request.limit ?? DIGEST_PAGE_SIZE) : spaceDigest(tx, space)));
  };
}

/** Every type's count and digest in `space`, in type order (bytewise, the same on every database). */
export async function spaceDigest(tx: SqlExecutor, space: string): Promise<SpaceDigest> {
  const version = await versionOf(tx, space);
  // Each hash is read as a signed 64-bit integer (bit(64)::bigint) and summed exactly (numeric);
  // the sum is taken modulo 2^64 in JavaScript, which makes the signs fall away. Hashed in the inner
  // query, so grouping sorts (type, hash) pairs, not the values.
  const rows = await tx.query<{ type: string; count: number | string; sum: string }>(
    `SELECT type, count(*) AS count, sum(hash)::text AS sum
     FROM (SELECT type, ('x' || encode(${HASH}, 'hex'))::bit(64)::bigint AS hash FROM kalphite_entities WHERE space_id = $1 AND NOT deleted OFFSET 0) hashed
     GROUP BY type ORDER BY type COLLATE "C"`,
    [space],
  );
  return { space, version, types: rows.map((row) => ({ type: row.type, count: Number(row.count), digest: digestFromSum(row.sum) })) };
}

/** One page of `type`'s ids in `space` with their hashes, after `after` in the database's key order. */
export async function typeHashes(tx: SqlExecutor, space: string, type: string, after: string | null, limit: number): Promise<TypeHashes> {
  const version = await versionOf(tx, space);
  // Read in key order from the (space_id, type, key) index of live rows (migration 4), so the scan
  // stops after the page and hashes only the rows it returns.
  const rows = await tx.query<{ key: string; hash: string }>(
    `SELECT key, encode(${HASH}, 'hex') AS hash FROM kalphite_entities
     WHERE space_id = $1 AND type = $2 AND NOT deleted ${after === null ? '' : 'AND key > $4'}
     ORDER BY key LIMIT $3`,
    after === null ? [space, type, limit + 1] : [space, type, limit + 1, after],
  );
  const more = rows.length > limit;
  return { space, version, type, hashes: (more ? rows.slice(0, limit) : rows).map((row) => ({ id: row.key, hash: row.hash })), more };
}

async function versionOf(tx: SqlExecutor, space: string): Promise<number> {
  const [row] = await tx.query<{ version: number | string }>(`SELECT version FROM kalphite_spaces WHERE space_id = $1`, [space]);
  return row === undefined ? 0 : Number(row.version);
}
