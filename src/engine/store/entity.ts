import { entityProblem, type Entity } from '../../protocol/entity.js';
import { KalphiteError } from '../errors.js';

export type { Entity } from '../../protocol/entity.js';
export type { JsonPrimitive, JsonValue } from '../../protocol/json.js';

/** Throws a typed error unless `entity` is a well-formed entity stored under `key`. */
export function assertEntity(key: unknown, entity: unknown, maxBytes?: number): asserts entity is Entity {
  const problem = entityProblem(key, entity, maxBytes);
  if (problem) throw new KalphiteError(problem.code, problem.message);
}
