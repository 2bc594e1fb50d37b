import type { Cookie } from '../protocol/pull.js';
import { DEFAULT_SPACE } from '../protocol/space.js';
import { parseSnapshot, type KalphiteSnapshot } from '../protocol/snapshot.js';
import { KalphiteError } from './errors.js';
import type { Replica } from './replica.js';
import type { Entity } from './store/entity.js';

/**
 * A server render's snapshot (`core.snapshot` → `initialSnapshot`) as the engine uses it: memory
 * starts from it before the local db opens, and when the local db has opened, one rule says which
 * of the two memory keeps, per space:
 *
 * 1. A local write the server has not acknowledged wins over the snapshot (it is newer than
 *    anything the server had: the server has not seen it yet).
 * 2. Otherwise the newer of the two wins: the snapshot when it was read at a later version than the
 *    local copy's cookie (the local copy is stale until a pull brings it up to date), else the local copy.
 *
 * Writes made in memory meanwhile stay on top of either (the adopt rule, `store/adopt.ts`), and the
 * first pull — from the local copy's own cookie — brings memory and the local db to the server's state.
 */
export class InitialSnapshot {
  readonly #snapshot: KalphiteSnapshot;

  /** Checks a snapshot that crossed the network; a bad one throws `invalid-options`, whole. */
  constructor(value: unknown) {
    try {
      this.#snapshot = parseSnapshot(value);
    } catch (error) {
      throw new KalphiteError('invalid-options', `Option initialSnapshot: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The spaces it holds (the engine opens them). */
  get spaces(): readonly string[] {
    return this.#snapshot.spaces.map((s) => s.space);
  }

  /** Its entities, for memory before the local db opens: an id listed in two spaces is kept from the first (rule 6 of SPACES.md). */
  entities(): Entity[] {
    const seen = new Set<string>();
    const entities: Entity[] = [];
    for (const { entities: listed } of this.#snapshot.spaces) {
      for (const entity of listed) {
        if (seen.has(entity.id)) continue;
        seen.add(entity.id);
        entities.push(entity);
      }
    }
    return entities;
  }

  /**
   * What memory holds once the local db is open (`local`: its entities of the open spaces), by the
   * rule above. Reads the unacknowledged outbox only when a stale space has some.
   */
  async overLocal(replica: Pick<Replica, 'knownSpaces' | 'changeLog'>, local: readonly Entity[]): Promise<Entity[]> {
    const cookies = new Map(replica.knownSpaces().map((s) => [s.space, s] as const));
    const stale = new Map<string, readonly Entity[]>();
    let unacknowledged = 0;
    for (const { space, version, entities } of this.#snapshot.spaces) {
      const known = cookies.get(space);
      if (known === undefined || !newerThan(version, known.cookie)) continue;
      stale.set(space, entities);
      unacknowledged += known.unacknowledged;
    }
    if (stale.size === 0) return [...local];
    // Rule 1: the ids with a write on its way to the server, in the stale spaces.
    const mine = new Set<string>();
    if (unacknowledged > 0) {
      for (const row of await replica.changeLog(Number.MAX_SAFE_INTEGER)) if (!row.acknowledged && stale.has(row.space)) mine.add(row.entityId);
    }
    const truth: Entity[] = local.filter((e) => !stale.has(e.space ?? DEFAULT_SPACE) || mine.has(e.id));
    const taken = new Set(truth.map((e) => e.id));
    for (const entities of stale.values()) {
      for (const entity of entities) {
        if (mine.has(entity.id) || taken.has(entity.id)) continue;
        taken.add(entity.id);
        truth.push(entity);
      }
    }
    return truth;
  }
}

/** Whether a snapshot read at `version` is newer than a local copy pulled up to `cookie`. */
function newerThan(version: number, cookie: Cookie): boolean {
  if (cookie === null) return true;
  // Midway through a paged pull the copy is complete only below `order`.
  if (typeof cookie === 'object') return version >= cookie.order;
  return version > cookie;
}
