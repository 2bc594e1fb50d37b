import { entityProblem, idProblem, withSpace, type Entity } from '../protocol/entity.js';
import { isRecord, jsonEqual, storableText, type JsonValue } from '../protocol/json.js';
import { applyPatch, isFieldMap, parsePatchArgs } from '../protocol/patch.js';
import type { Mutation } from '../protocol/push.js';
import type { SyncUser } from './identity.js';
import type { ServerErrorHook } from './problems.js';

/** What a resolver is told besides the values: who writes, where, and how. */
export interface ResolverContext {
  readonly user: SyncUser;
  readonly space: string;
  readonly op: 'upsert' | 'patch' | 'delete';
}

/**
 * Decides a write to an entity of one type: return what to store, or null to refuse it. For a
 * delete, `incoming` is the entity being deleted and any non-null answer allows it. Without a
 * resolver the server's commit order decides (last write wins).
 */
export type ConflictResolver = (incoming: Entity, current: Entity | null, context: ResolverContext) => Entity | null;

/** A field's last writer: its client group, client and mutation id. */
export type Writer = readonly [clientGroupID: string, clientID: string, mutationID: number];

/** An entity's stored row, as a push works on it. */
export interface Row {
  readonly type: string;
  readonly value: Entity | null;
  readonly deleted: boolean;
  /** Who last wrote each field of its data (null: not known, as for rows from before patches). */
  readonly writers: Readonly<Record<string, Writer>> | null;
}

/** A write whose fields a later patch replaced without having seen them: its writer is told. */
export interface Overwrite {
  readonly writer: Writer;
  readonly key: string;
  readonly fields: readonly string[];
}

/** A resolver, found as an own property, called so that a throw refuses rather than fails the push. */
export type Resolve = (incoming: Entity, current: Entity | null, context: ResolverContext) => { readonly value: Entity | null } | { readonly error: string } | { readonly refused: string } | null;

export function resolverCall(resolvers: Readonly<Record<string, ConflictResolver>> | undefined, onError: ServerErrorHook): Resolve {
  return (incoming, current, context) => {
    // Own properties only: a type named `valueOf` or `__proto__` must not find Object.prototype's.
    const resolver = resolvers && Object.hasOwn(resolvers, incoming.type) ? resolvers[incoming.type] : undefined;
    if (typeof resolver !== 'function') return null;
    try {
      return { value: resolver(incoming, current, context) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      onError({ code: 'resolver-threw', message: `The ${incoming.type} resolver threw on ${context.op} of ${incoming.id}: ${message}`, cause: error });
      return { error: message };
    }
  };
}

/** One push's working state: the rows it read and those it changed, by key, and the writes it overwrote unseen. */
export interface PushState {
  readonly rows: Map<string, Row>;
  readonly changed: Map<string, Row>;
  readonly overwrites: Overwrite[];
}

/** Who pushes where, and whether they may write there at all. */
export interface PushScope {
  readonly clientGroupID: string;
  readonly user: SyncUser;
  readonly space: string;
  readonly writable: boolean;
  readonly resolve: Resolve;
}

/**
 * Applies one mutation to the working rows; returns why it was refused (and the key it named), or
 * null. A refused write still re-stamps the entity it targeted: the pull that acknowledges the
 * mutation then carries the server's value, so the writer drops its optimistic one (for a key the
 * server never stored, the pull carries a del instead).
 */
export function apply(mutation: Mutation, state: PushState, scope: PushScope): { reason: string; key: string | null } | null {
  const { rows, changed } = state;
  const { space, resolve } = scope;
  const args = mutation.args;
  const key = isRecord(args) && idProblem(args.id) === null ? (args.id as string) : null;
  const refuse = (reason: string) => {
    const current = key === null ? undefined : rows.get(key);
    if (key !== null && current) changed.set(key, current);
    return { reason, key };
  };
  // SPACES.md rule 2: a push into a space its user may not write changes nothing there.
  if (!scope.writable) return refuse(`User ${JSON.stringify(scope.user.id)} may not write to space ${JSON.stringify(space)}.`);
  const context = (op: ResolverContext['op']): ResolverContext => ({ user: scope.user, space, op });
  if (mutation.name === 'upsert') {
    const problem = entityProblem(isRecord(args) ? args.id : undefined, args);
    if (problem) return refuse(problem.message);
    const pushed = args as unknown as Entity;
    // An entity's space never changes, and it is the route's: one that names another is refused.
    if (pushed.space !== undefined && pushed.space !== space) {
      return refuse(`Entity ${JSON.stringify(pushed.id)} names space ${JSON.stringify(pushed.space)} but was pushed to space ${JSON.stringify(space)}.`);
    }
    const incoming = withSpace(pushed, space);
    const current = rows.get(incoming.id);
    // Tombstones are final: a delete is never undone by a later or concurrent write.
    if (current?.deleted) return refuse(`Entity ${incoming.id} was deleted.`);
    const resolved = resolve(incoming, current?.value ?? null, context('upsert'));
    if (resolved && 'refused' in resolved) return refuse(resolved.refused);
    if (resolved && 'error' in resolved) return refuse(`The ${incoming.type} resolver failed: ${resolved.error}`);
    const value = resolved ? resolved.value : incoming;
    if (value === null) return refuse(`The ${incoming.type} resolver refused the write.`);
    const resolvedProblem = entityProblem(incoming.id, value)?.message ?? (value.space !== undefined && value.space !== space ? `it names space ${JSON.stringify(value.space)}` : null);
    if (resolvedProblem) return refuse(`The ${incoming.type} resolver returned a bad entity: ${resolvedProblem}`);
    const writer: Writer = [scope.clientGroupID, mutation.clientID, mutation.id];
    const row: Row = { type: value.type, value: withSpace(value, space), deleted: false, writers: isFieldMap(value.data) ? Object.fromEntries(Object.keys(value.data).map((field) => [field, writer])) : null };
    rows.set(incoming.id, row);
    changed.set(incoming.id, row);
    return null;
  }
  if (mutation.name === 'patch') {
    const patch = parsePatchArgs(args);
    if (typeof patch === 'string') return refuse(patch);
    if (patch.space !== undefined && patch.space !== space) {
      return refuse(`Patch of ${JSON.stringify(patch.id)} names space ${JSON.stringify(patch.space)} but was pushed to space ${JSON.stringify(space)}.`);
    }
    const current = rows.get(patch.id);
    if (current?.deleted) return refuse(`Entity ${patch.id} was deleted.`);
    if (!current?.value) return refuse(`Entity ${patch.id} does not exist here: a patch changes an entity the server has.`);
    if (current.value.type !== patch.type) return refuse(`Entity ${patch.id} is a ${current.value.type} now, not a ${patch.type}.`);
    // Field by field onto the stored value, in commit order: a concurrent edit of another field stays.
    const merged = applyPatch(current.value, patch);
    if (merged === null) return refuse(`Entity ${patch.id} has data that is not an object: it has no fields to patch.`);
    const problem = entityProblem(patch.id, merged);
    if (problem) return refuse(problem.message);
    const resolved = resolve(merged, current.value, context('patch'));
    if (resolved && 'refused' in resolved) return refuse(resolved.refused);
    if (resolved && 'error' in resolved) return refuse(`The ${merged.type} resolver failed: ${resolved.error}`);
    const value = resolved ? resolved.value : merged;
    if (value === null) return refuse(`The ${merged.type} resolver refused the write.`);
    const resolvedProblem = entityProblem(patch.id, value)?.message ?? (value.space !== undefined && value.space !== space ? `it names space ${JSON.stringify(value.space)}` : null);
    if (resolvedProblem) return refuse(`The ${merged.type} resolver returned a bad entity: ${resolvedProblem}`);
    const writer: Writer = [scope.clientGroupID, mutation.clientID, mutation.id];
    const written = [...Object.keys(patch.set), ...patch.unset];
    // A field whose value is not the one this writer started from was written by someone it had not
    // seen: server order keeps this patch's value, and that writer hears it lost.
    if (patch.was !== undefined) {
      const lost = new Map<string, { writer: Writer; fields: string[] }>();
      const now = current.value.data as Readonly<Record<string, JsonValue | undefined>>;
      for (const field of written) {
        const previous = current.writers?.[field];
        if (previous === undefined || previous[1] === mutation.clientID || jsonEqual(now[field], Object.hasOwn(patch.was, field) ? patch.was[field] : undefined)) continue;
        const id = previous.join(' ');
        const entry = lost.get(id) ?? { writer: previous, fields: [] };
        entry.fields.push(field);
        lost.set(id, entry);
      }
      for (const { writer: loser, fields } of lost.values()) state.overwrites.push({ writer: loser, key: patch.id, fields });
    }
    const writers = { ...current.writers };
    for (const field of written) writers[field] = writer;
    const row: Row = { type: value.type, value: withSpace(value, space), deleted: false, writers };
    rows.set(patch.id, row);
    changed.set(patch.id, row);
    return null;
  }
  if (mutation.name === 'delete') {
    if (key === null) return refuse(`delete needs { id }: ${idProblem(isRecord(args) ? args.id : undefined, 'id')}.`);
    const current = rows.get(key);
    // A delete of an id never stored changes nothing: a tombstone would let anyone squat the id.
    if (!current) return null;
    if (current.value !== null) {
      const resolved = resolve(current.value, current.value, context('delete'));
      if (resolved && 'refused' in resolved) return refuse(resolved.refused);
      if (resolved && 'error' in resolved) return refuse(`The ${current.type} resolver failed: ${resolved.error}`);
      if (resolved && resolved.value === null) return refuse(`The ${current.type} resolver refused the delete.`);
    }
    const row: Row = { type: current.type, value: null, deleted: true, writers: null };
    rows.set(key, row);
    changed.set(key, row);
    return null;
  }
  // Kalphite's client gave this write up after a permanent error: acknowledge it, apply nothing.
  if (mutation.name === 'discard') return refuse('The client discarded this write.');
  return refuse(`Unknown mutator ${JSON.stringify(mutation.name)}.`);
}

/** A reason is stored as text and sent as JSON: escape what PostgreSQL cannot hold, and cut it short. */
export function storableReason(reason: string): string {
  const text = reason.length > 1000 ? `${reason.slice(0, 1000)}…` : reason;
  return storableText(text) ? text : JSON.stringify(text).slice(1, -1);
}
