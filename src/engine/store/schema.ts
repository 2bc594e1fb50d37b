import { isPlainObject } from '../../protocol/json.js';
import { KalphiteError } from '../errors.js';
import type { Entity } from './entity.js';
import type { EntitySchema, StandardIssue, StandardResult, StandardSchemaV1 } from './schema-types.js';

/** One thing a validator found wrong: where inside `data` (`'line'`, `'author.id'`, `''` for data itself) and what. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

/** `schema-invalid`: a write the schema refused; nothing was written. */
export class SchemaInvalidError extends KalphiteError {
  readonly type: string;
  readonly issues: readonly SchemaIssue[];

  constructor(id: string, type: string, issues: readonly SchemaIssue[]) {
    const listed = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ');
    super('schema-invalid', `Entity ${JSON.stringify(id)} of type ${JSON.stringify(type)} does not fit the schema: ${listed}.`);
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
  readonly #validators = new Map<string, StandardSchemaV1['~standard']['validate']>();
  readonly #strict: boolean;

  constructor(schema: unknown, strict: boolean) {
    if (typeof schema !== 'object' || schema === null || !isPlainObject(schema)) throw new KalphiteError('invalid-options', 'Option schema must be an object mapping each entity type to a validator of its data (zod, valibot, arktype: anything with a ~standard property).');
    for (const [type, validator] of Object.entries(schema as EntitySchema)) {
      const standard = (validator as Partial<StandardSchemaV1> | null)?.['~standard'];
      if (standard?.version !== 1 || typeof standard.validate !== 'function') {
        throw new KalphiteError('invalid-options', `Option schema.${type} is not a Standard Schema validator (it needs a ~standard property of version 1 with a validate function).`);
      }
      // A write is synchronous: a validator that answers with a promise could never be waited for.
      if (isThenable(standard.validate(undefined))) {
        throw new KalphiteError('invalid-options', `Option schema.${type} validates asynchronously (${standard.vendor}); Kalphite writes are synchronous, so its validators must be too.`);
      }
      this.#validators.set(type, standard.validate);
    }
    this.#strict = strict;
  }

  /** Whether the schema names `type`. */
  names(type: string): boolean {
    return this.#validators.has(type);
  }

  /**
   * The entity as it is to be stored, or a thrown `schema-invalid`. A value that is not an entity
   * at all passes through untouched, for the store's own check to refuse with its own error.
   */
  check(id: string, entity: Entity): Entity {
    if (typeof entity !== 'object' || entity === null || typeof entity.type !== 'string') return entity;
    const validate = this.#validators.get(entity.type);
    if (validate === undefined) {
      if (this.#strict) throw new SchemaInvalidError(id, entity.type, [{ path: '', message: `the schema names no type ${JSON.stringify(entity.type)} (strict: true refuses the others)` }]);
      return entity;
    }
    const result = validate(entity.data);
    if (isThenable(result)) throw new SchemaInvalidError(id, entity.type, [{ path: '', message: 'the validator answered asynchronously (an async refinement?); writes need a synchronous answer' }]);
    const checked = result as StandardResult<unknown>;
    if (checked.issues !== undefined) throw new SchemaInvalidError(id, entity.type, checked.issues.map(toIssue));
    const data = (checked as { readonly value: unknown }).value as Entity['data'];
    if (data === entity.data) return entity;
    let keys = 0;
    for (const _ in entity) keys++;
    // A literal, not a spread, when it has only the named fields: V8 gives a spread a slow shape (see withSpace).
    if (keys !== 3 + (entity.updatedAt === undefined ? 0 : 1) + (entity.space === undefined ? 0 : 1)) return { ...entity, data };
    const { id: key, type, updatedAt, space } = entity;
    if (updatedAt === undefined) return space === undefined ? { id: key, type, data } : { id: key, type, data, space };
    return space === undefined ? { id: key, type, data, updatedAt } : { id: key, type, data, updatedAt, space };
  }
}

function toIssue(issue: StandardIssue): SchemaIssue {
  const path = (issue.path ?? []).map((segment) => String(typeof segment === 'object' && segment !== null ? segment.key : segment)).join('.');
  return { path, message: issue.message };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
