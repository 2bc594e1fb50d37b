import type { SqlExecutor } from './backend.js';
import type { PushState } from './mutations.js';

/** Refusals and overwrite notes kept per client, newest first: enough for any pull that has not yet caught up. */
export const NOTES_KEPT = 1000;

/** What one push writes once its mutations are applied to the working rows. */
export interface PushWrite {
  readonly space: string;
  readonly version: number;
  readonly clientGroupID: string;
  readonly working: PushState;
  /** Each pushing client's newest mutation id. */
  readonly lastMutationIDs: ReadonlyMap<string, number>;
  readonly refused: readonly { readonly clientID: string; readonly id: number; readonly key: string | null; readonly reason: string }[];
  /** Whether to answer whose the overwritten groups are (for their pokes' notes). */
  readonly ownersWanted: boolean;
}

/**
 * Entities, client ids, refusals, overwrite notes and the version of one push in one statement:
 * one round trip, whatever the push size. Only the parts with rows are in it — most pushes refuse
 * and overwrite nothing, and each part is planned and run on every push. Pruning a client's old
 * refusals goes with inserting new ones (so each client keeps at most `NOTES_KEPT`), as does
 * pruning its overwrite notes. Resolves to whose each overwritten group is.
 */
export async function writePush(tx: SqlExecutor, write: PushWrite): Promise<Readonly<Record<string, string>>> {
  const { working } = write;
  const params: unknown[] = [];
  const param = (value: unknown): string => `$${params.push(value)}`;
  const space = param(write.space);
  const version = param(write.version);
  const group = param(write.clientGroupID);
  const clients = param(JSON.stringify([...write.lastMutationIDs].map(([client_id, last_mutation_id]) => ({ client_id, last_mutation_id }))));
  const parts: string[] = [];
  if (working.changed.size > 0) {
    const entities = param(JSON.stringify([...working.changed].map(([key, row]) => ({ key, ...row }))));
    parts.push(`entities AS (
         INSERT INTO kalphite_entities (space_id, key, type, value, version, deleted, writers)
         SELECT ${space}, key, type, value, ${version}, deleted, writers FROM jsonb_to_recordset(${entities}::jsonb) AS r(key text, type text, value jsonb, deleted boolean, writers jsonb)
         ON CONFLICT (space_id, key) DO UPDATE SET type = excluded.type, value = excluded.value, version = excluded.version, deleted = excluded.deleted, writers = excluded.writers
       )`);
  }
  if (write.refused.length > 0) {
    const refusals = param(JSON.stringify(write.refused.map((r) => ({ client_id: r.clientID, mutation_id: r.id, entity_key: r.key, reason: r.reason }))));
    parts.push(`refusals AS (
         INSERT INTO kalphite_refusals (space_id, client_id, mutation_id, client_group_id, entity_key, reason, version)
         SELECT ${space}, client_id, mutation_id, ${group}, entity_key, reason, ${version} FROM jsonb_to_recordset(${refusals}::jsonb)
           AS r(client_id text, mutation_id bigint, entity_key text, reason text)
       )`);
    parts.push(`pruned AS (
         DELETE FROM kalphite_refusals f USING jsonb_to_recordset(${clients}::jsonb) AS r(client_id text, last_mutation_id bigint)
         WHERE f.space_id = ${space} AND f.client_id = r.client_id AND f.mutation_id <= r.last_mutation_id - ${NOTES_KEPT}
       )`);
  }
  if (working.overwrites.length > 0) {
    const notes = param(JSON.stringify(working.overwrites.map((o) => ({ client_group_id: o.writer[0], client_id: o.writer[1], mutation_id: o.writer[2], entity_key: o.key, fields: o.fields }))));
    parts.push(`overwrites AS (
         INSERT INTO kalphite_overwrites (space_id, client_group_id, client_id, mutation_id, entity_key, fields, version)
         SELECT ${space}, client_group_id, client_id, mutation_id, entity_key, fields, ${version} FROM jsonb_to_recordset(${notes}::jsonb)
           AS o(client_group_id text, client_id text, mutation_id bigint, entity_key text, fields jsonb)
         ON CONFLICT DO NOTHING
       )`);
    parts.push(`pruned_overwrites AS (
         DELETE FROM kalphite_overwrites f
         USING (SELECT client_id, max(mutation_id) AS newest FROM jsonb_to_recordset(${notes}::jsonb) AS o(client_id text, mutation_id bigint) GROUP BY client_id) AS n
         WHERE f.space_id = ${space} AND f.client_id = n.client_id AND f.mutation_id <= n.newest - ${NOTES_KEPT}
       )`);
  }
  parts.push(`clients AS (
         INSERT INTO kalphite_clients (space_id, client_id, client_group_id, last_mutation_id, version)
         SELECT ${space}, client_id, ${group}, last_mutation_id, ${version} FROM jsonb_to_recordset(${clients}::jsonb) AS r(client_id text, last_mutation_id bigint)
         ON CONFLICT (space_id, client_id) DO UPDATE SET last_mutation_id = excluded.last_mutation_id, version = excluded.version
       )`);
  const overwritten = write.ownersWanted ? [...new Set(working.overwrites.map((o) => o.writer[0]))] : [];
  const owners =
    overwritten.length === 0
      ? `'{}'::json`
      : `(SELECT coalesce(json_object_agg(client_group_id, user_id), '{}'::json) FROM kalphite_client_groups WHERE space_id = ${space} AND client_group_id = ANY(${param(overwritten)}::text[]))`;
  const [written] = await tx.query<{ owners: Record<string, string> }>(
    `WITH ${parts.join(', ')}
     UPDATE kalphite_spaces SET version = ${version} WHERE space_id = ${space}
     RETURNING ${owners} AS owners`,
    params,
  );
  return written?.owners ?? {};
}
