import { entityProblem, type Entity } from './entity.js';
import { ProtocolError } from './errors.js';
import { isRecord } from './json.js';
import { spaceProblem } from './space.js';

/** The shape's version: a client refuses a snapshot of another. */
export const SNAPSHOT_VERSION = 1;

/** One space as the server read it: every entity it holds, at one version of the space. */
export interface SpaceSnapshot {
  readonly space: string;
  /** The space's version the entities were read at (a pull cookie: what a pull from it would not send again). */
  readonly version: number;
  readonly entities: readonly Entity[];
}

/**
 * What a server render hands the client (`core.snapshot`, then `initialSnapshot`): the entities of
 * the spaces the user may read, each space with its version. Plain JSON, so a framework can put it
 * in the page as it is.
 */
export interface KalphiteSnapshot {
  readonly snapshotVersion: typeof SNAPSHOT_VERSION;
  readonly spaces: readonly SpaceSnapshot[];
}

/**
 * The client's check of a snapshot that crossed the network (the page's HTML): anything else is
 * refused, whole, before it touches memory. Each entity must name its space, the one it is listed under.
 */
export function parseSnapshot(value: unknown): KalphiteSnapshot {
  const bad = (message: string) => new ProtocolError('invalid-response', `Invalid snapshot: ${message}.`);
  if (!isRecord(value)) throw bad('not a JSON object');
  if (value.snapshotVersion !== SNAPSHOT_VERSION) throw bad(`snapshotVersion ${JSON.stringify(value.snapshotVersion)} is not ${SNAPSHOT_VERSION}`);
  if (!Array.isArray(value.spaces)) throw bad('spaces must be an array');
  const seen = new Set<string>();
  const spaces = value.spaces.map((item: unknown, index: number): SpaceSnapshot => {
    const where = `spaces[${index}]`;
    if (!isRecord(item)) throw bad(`${where} must be an object`);
    const problem = spaceProblem(item.space, `${where}.space`);
    if (problem) throw bad(problem);
    const space = item.space as string;
    if (seen.has(space)) throw bad(`space ${space} is listed twice`);
    seen.add(space);
    if (typeof item.version !== 'number' || !Number.isSafeInteger(item.version) || item.version < 0) throw bad(`${where}.version must be a non-negative integer`);
    if (!Array.isArray(item.entities)) throw bad(`${where}.entities must be an array`);
    const entities = item.entities.map((entity: unknown, at: number): Entity => {
      const id = isRecord(entity) ? entity.id : undefined;
      const wrong = entityProblem(id, entity);
      if (wrong) throw bad(`${where}.entities[${at}]: ${wrong.message}`);
      if ((entity as Entity).space !== space) throw bad(`${where}.entities[${at}] must name its space ${space}`);
      return entity as Entity;
    });
    return { space, version: item.version, entities };
  });
  return { snapshotVersion: SNAPSHOT_VERSION, spaces };
}
