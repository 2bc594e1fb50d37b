import { describeIssues, runValidator, schemaValidators, type SchemaIssue, type Validate } from '../../protocol/standard-schema.js';
import { KalphiteError } from '../errors.js';
import type { Entity } from './entity.js';

export type { SchemaIssue } from '../../protocol/standard-schema.js';

/** `schema-invalid`: a write the schema refused; nothing was written. */
export class SchemaInvalidError extends KalphiteError {
  readonly type: string;
  readonly issues: readonly SchemaIssue[];

  constructor(id: string, type: string, issues: readonly SchemaIssue[]) {
    super('schema-invalid', `Entity ${JSON.stringify(id)} of type ${JSON.stringify(type)} does not fit the schema: ${describeIssues(issues)}.`);
    this.type = type;
    this.issues = issues;
  }
}

/**
 * The engine's schema, checked once at creation: a map from entity type to a Standard Schema
 * validator of that type's `data`. `check` runs on every local write, synchronously, and returns
 * the entity with the validator's output as its data (so defaults and coercions are what is stored).
 */
export class EntityValidator {
  readonly #validators: ReadonlyMap<string, Validate>;
  readonly #strict: boolean;

  constructor(schema: unknown, strict: boolean) {
    const validators = schemaValidators(schema, 'Option schema');
    if (typeof validators === 'string') throw new KalphiteError('invalid-options', `${validators}.`);
    this.#validators = validators;
    this.#strict = strict;
  }

  /**
   * The entity as it is to be stored, or a thrown `schema-invalid`. A value that is not an entity
   * at all passes through untouched, for the store's own check to refuse with its own error.
   */
  check(id: string, entity: Entity): Entity {
    const verdict = this.verdict(entity);
    if ('issues' in verdict) throw new SchemaInvalidError(id, entity.type, verdict.issues);
    return verdict.entity;
  }

  /**
   * What `check` decides, as a value: the entity to store, or the issues. For values from outside
   * (a pull, a stored entity after `migrate`), which are held aside rather than refused.
   */
  verdict(entity: Entity): { readonly entity: Entity } | { readonly issues: readonly SchemaIssue[] } {
    if (typeof entity !== 'object' || entity === null || typeof entity.type !== 'string') return { entity };
    const validate = this.#validators.get(entity.type);
    if (validate === undefined) {
      if (this.#strict) return { issues: [{ path: '', message: `the schema names no type ${JSON.stringify(entity.type)} (strict: true refuses the others)` }] };
      return { entity };
    }
    let verdict: ReturnType<typeof runValidator>;
    try {
      verdict = runValidator(validate, entity.data);
    } catch (error) {
      // A validator that throws on a value from outside holds that value aside, like any issue.
      verdict = { issues: [{ path: '', message: `the validator threw: ${error instanceof Error ? error.message : String(error)}` }] };
    }
    if ('issues' in verdict) return { issues: verdict.issues };
    return { entity: withData(entity, verdict.value as Entity['data']) };
  }
}

/** `entity` with the validator's output as its data (itself when the validator returned the same value). */
function withData(entity: Entity, data: Entity['data']): Entity {
  if (data === entity.data) return entity;
  let keys = 0;
  for (const _ in entity) keys++;
  // A literal, not a spread, when it has only the named fields: V8 gives a spread a slow shape (see withSpace).
  if (keys !== 3 + (entity.updatedAt === undefined ? 0 : 1) + (entity.space === undefined ? 0 : 1)) return { ...entity, data };
  const { id: key, type, updatedAt, space } = entity;
  if (updatedAt === undefined) return space === undefined ? { id: key, type, data } : { id: key, type, data, space };
  return space === undefined ? { id: key, type, data, updatedAt } : { id: key, type, data, updatedAt, space };
}
