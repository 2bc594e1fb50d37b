import type { JsonValue } from '../protocol/json.js';
import type { PokeChange } from '../protocol/poke.js';
import type { Overwritten, PatchOperation, Refusal } from '../protocol/pull.js';
import type { SqlExecutor } from './backend.js';
import type { SyncUser } from './identity.js';
import type { Overwrite } from './mutations.js';

/**
 * A space's change from `previous` to `version`, as a pull from `previous` at `version` sends it,
 * before it is cut to each subscriber's group: known by the server that committed it (its push), or
 * read back from the database by another server that heard of it (`readChange`).
 */
export interface SpaceChange {
  readonly previous: number;
  readonly version: number;
  /** Every entity written since `previous`. */
  readonly patch: readonly PatchOperation[];
  /** The patch's bytes of JSON, as measured against `pokeDataLimit`. */
  readonly bytes: number;
  /** Per client group with news of its own since `previous`: its mutation ids, refusals, notes. */
  readonly groups: ReadonlyMap<string, GroupNews>;
  /** The groups whose news it knows ('all': a group absent from `groups` has none). */
  readonly covered: ReadonlySet<string> | 'all';
}

/** One client group's part of a change: only the group's owner hears it. */
export interface GroupNews {
  /** Whose the group is (null: nobody's yet, so nobody hears its news). */
  readonly owner: string | null;
  readonly lastMutationIDChanges: Readonly<Record<string, number>>;
  readonly refused: readonly Refusal[];
  /** Refused creates of ids the server never stored: dels, as a pull sends them. */
  readonly gone: readonly string[];
  readonly overwritten: readonly Overwritten[];
  /** Whether the owner may write the space, as the push that made the news checked it (absent: not known, read back by another server). */
  readonly writable?: boolean;
  /** Its bytes of JSON, counted with the patch's against `pokeDataLimit`. */
  readonly bytes: number;
}

/**
 * A change as one subscriber's poke carries it: the patch for every reader, and a group's news only
 * to the group's owner. Null (the version alone, then a pull) without a named group, for a group
 * whose news the change does not know, to a group with news that is not the caller's, or when the
 * group's part takes it over the limit.
 */
export function changeFor(change: SpaceChange, clientGroupID: string | undefined, user: SyncUser, limit: number): PokeChange | null {
  if (clientGroupID === undefined || (change.covered !== 'all' && !change.covered.has(clientGroupID))) return null;
  const news = change.groups.get(clientGroupID);
  if (news === undefined) return change.bytes > limit ? null : { previous: change.previous, clientGroupID, patch: change.patch, lastMutationIDChanges: {} };
  if (news.owner !== user.id || change.bytes + news.bytes > limit) return null;
  return {
    previous: change.previous,
    clientGroupID,
    patch: news.gone.length === 0 ? change.patch : [...change.patch, ...news.gone.map((key): PatchOperation => ({ op: 'del', key }))],
    lastMutationIDChanges: news.lastMutationIDChanges,
    ...(news.refused.length > 0 && { refused: news.refused }),
    ...(news.overwritten.length > 0 && { overwritten: news.overwritten }),
    ...(news.writable !== undefined && { writable: news.writable }),
  };
}

/** A group's news, measured. */
export function groupNews(owner: string | null, parts: Omit<GroupNews, 'owner' | 'bytes'>): GroupNews {
  const bytes =
    JSON.stringify(parts.lastMutationIDChanges).length +
    JSON.stringify(parts.refused).length +
    JSON.stringify(parts.overwritten).length +
    parts.gone.reduce((sum, key) => sum + key.length + 22, 0) +
    (parts.writable === undefined ? 0 : 17);
  return { owner, ...parts, bytes };
}

/**
 * Per overwritten group, its notes as the pull sends them: one per (client, mutation, entity) — the
 * first, as the table keeps it — in the pull's order.
 */
export function notesByGroup(overwrites: readonly Overwrite[]): Map<string, Overwritten[]> {
  const byGroup = new Map<string, Map<string, Overwritten>>();
  for (const { writer: [group, clientID, id], key, fields } of overwrites) {
    const notes = byGroup.get(group) ?? new Map<string, Overwritten>();
    const note = JSON.stringify([clientID, id, key]);
    if (!notes.has(note)) notes.set(note, { clientID, id, key, fields });
    byGroup.set(group, notes);
  }
  const order = (a: Overwritten, b: Overwritten) => compare(a.clientID, b.clientID) || a.id - b.id || compare(a.key, b.key);
  return new Map([...byGroup].map(([group, notes]) => [group, [...notes.values()].sort(order)]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The fewest bytes one patch entry takes (`{"op":"del","key":""}` and its separator), so the read stops at the limit's worth of rows. */
const SMALLEST_ENTRY = 22;

interface ReadRow {
  readonly head: number | null;
  readonly over: boolean;
  readonly rows: readonly { readonly key: string; readonly value: JsonValue | null; readonly deleted: boolean; readonly bytes: number }[];
  readonly clients: readonly { readonly group: string; readonly client: string; readonly last: number }[];
  readonly refusals: readonly { readonly group: string; readonly client: string; readonly id: number; readonly reason: string; readonly gone: string | null }[];
  readonly overwrites: readonly { readonly group: string; readonly client: string; readonly id: number; readonly key: string; readonly fields: string[] }[];
  readonly owners: Readonly<Record<string, string>>;
}

/**
 * The change since `previous` up to the space's newest version, read in one statement (one
 * snapshot) for a server that did not commit it: the patch as a pull from `previous` sends it, and
 * the news of `groups` (the groups this server's streams name). Null when nothing is newer, or when
 * the patch is over `limit` — measured as PostgreSQL prints JSON (a little larger than the
 * committing server's measure), and never more of it read than the limit can hold.
 */
export async function readChange(tx: SqlExecutor, space: string, previous: number, groups: readonly string[], limit: number): Promise<SpaceChange | null> {
  const [read] = await tx.query<ReadRow>(
    `WITH first AS (
       SELECT key, value, deleted, version FROM kalphite_entities WHERE space_id = $1 AND version > $2 ORDER BY version, key LIMIT $4
     ), measured AS (
       SELECT key, value, deleted, version,
              octet_length(to_jsonb(key)::text) + CASE WHEN deleted OR value IS NULL THEN 21 ELSE 30 + octet_length(value::text) END AS bytes,
              sum(octet_length(to_jsonb(key)::text) + CASE WHEN deleted OR value IS NULL THEN 21 ELSE 30 + octet_length(value::text) END) OVER (ORDER BY version, key) AS upto
       FROM first
     )
     SELECT
       (SELECT version FROM kalphite_spaces WHERE space_id = $1) AS head,
       (SELECT count(*) >= $4 OR coalesce(max(upto) > $3, false) FROM measured) AS over,
       (SELECT coalesce(json_agg(json_build_object('key', key, 'value', value, 'deleted', deleted, 'bytes', bytes) ORDER BY version, key), '[]'::json) FROM measured WHERE upto <= $3) AS rows,
       (SELECT coalesce(json_agg(json_build_object('group', client_group_id, 'client', client_id, 'last', last_mutation_id)), '[]'::json)
          FROM kalphite_clients WHERE space_id = $1 AND client_group_id = ANY($5::text[]) AND version > $2) AS clients,
       (SELECT coalesce(json_agg(json_build_object('group', r.client_group_id, 'client', r.client_id, 'id', r.mutation_id, 'reason', r.reason, 'gone', CASE WHEN e.key IS NULL THEN r.entity_key END)
                        ORDER BY r.version, r.client_id, r.mutation_id), '[]'::json)
          FROM kalphite_refusals r LEFT JOIN kalphite_entities e ON e.space_id = r.space_id AND e.key = r.entity_key
          WHERE r.space_id = $1 AND r.client_group_id = ANY($5::text[]) AND r.version > $2) AS refusals,
       (SELECT coalesce(json_agg(json_build_object('group', client_group_id, 'client', client_id, 'id', mutation_id, 'key', entity_key, 'fields', fields)
                        ORDER BY version, client_id, mutation_id, entity_key), '[]'::json)
          FROM kalphite_overwrites WHERE space_id = $1 AND client_group_id = ANY($5::text[]) AND version > $2) AS overwrites,
       (SELECT coalesce(json_object_agg(client_group_id, user_id), '{}'::json) FROM kalphite_client_groups WHERE space_id = $1 AND client_group_id = ANY($5::text[])) AS owners`,
    [space, previous, limit, Math.floor(limit / SMALLEST_ENTRY) + 1, groups],
  );
  if (!read || read.head === null || read.head <= previous || read.over) return null;
  const patch = read.rows.map((row): PatchOperation => (row.deleted || row.value === null ? { op: 'del', key: row.key } : { op: 'put', key: row.key, value: row.value }));
  const parts = new Map<string, { lastMutationIDChanges: Record<string, number>; refused: Refusal[]; gone: string[]; overwritten: Overwritten[] }>();
  const partOf = (group: string) => {
    const part = parts.get(group) ?? { lastMutationIDChanges: {}, refused: [], gone: [], overwritten: [] };
    parts.set(group, part);
    return part;
  };
  for (const c of read.clients) partOf(c.group).lastMutationIDChanges[c.client] = c.last;
  for (const r of read.refusals) {
    const part = partOf(r.group);
    part.refused.push({ clientID: r.client, id: r.id, reason: r.reason });
    if (r.gone !== null && !part.gone.includes(r.gone)) part.gone.push(r.gone);
  }
  for (const o of read.overwrites) partOf(o.group).overwritten.push({ clientID: o.client, id: o.id, key: o.key, fields: o.fields });
  return {
    previous,
    version: read.head,
    patch,
    bytes: read.rows.reduce((sum, row) => sum + row.bytes, 0),
    groups: new Map([...parts].map(([group, part]) => [group, groupNews(Object.hasOwn(read.owners, group) ? (read.owners[group] as string) : null, part)])),
    covered: new Set(groups),
  };
}
