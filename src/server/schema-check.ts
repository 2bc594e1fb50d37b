import type { Entity } from '../protocol/entity.js';
import { describeIssues, runValidator, schemaValidators, type EntitySchema, type Validate } from '../protocol/standard-schema.js';
import { ProtocolError } from '../protocol/errors.js';
import type { Resolve } from './mutations.js';

/** The server's schema, checked once when it starts: the same map of validators the engine takes, and whether it is strict. */
export interface ServerSchema {
  readonly validators: ReadonlyMap<string, Validate>;
  /** Refuse types the schema does not name. */
  readonly strict: boolean;
}

export function serverSchema(schema: EntitySchema | undefined, strict: boolean): ServerSchema | null {
  if (typeof strict !== 'boolean') throw new TypeError('Option strict must be true or false.');
  if (schema === undefined) {
    if (strict) throw new TypeError('Option strict needs a schema: it refuses the types the schema does not name.');
    return null;
  }
  const validators = schemaValidators(schema, 'Option schema');
  if (typeof validators === 'string') throw new TypeError(`${validators}.`);
  return { validators, strict };
}

/**
 * The `schemaVersions` option as a check of each request's schemaVersion: one the server does not
 * serve is a 400 before anything is read or changed. Replicache sends its own schemaVersion string
 * (empty by default): the server's test decides about those too.
 */
export function schemaVersionCheck(serves: ((schemaVersion: string) => boolean) | undefined): (schemaVersion: string) => void {
  if (serves === undefined) return () => {};
  if (typeof serves !== 'function') throw new TypeError('Option schemaVersions must be a function of the schemaVersion string.');
  return (schemaVersion) => {
    if (serves(schemaVersion) !== true) {
      throw new ProtocolError('unsupported-version', `schemaVersion ${JSON.stringify(schemaVersion)} is not served here: this app's data has moved on. Update the app.`, {
        versionType: 'schema',
        schemaVersion,
      });
    }
  };
}

/**
 * The resolve step followed by the schema: what a write would store (the resolver's answer, or the
 * incoming entity when there is none) must fit its type's validator, and the validator's output is
 * what is stored. A write that does not fit is refused through the existing refused path, with the
 * issues as its reason; a type the schema does not name passes, as in the engine, unless `strict`.
 * Deletes are not checked: removing an entity needs no valid data.
 */
export function schemaCheckedResolve(resolve: Resolve, schema: ServerSchema | null): Resolve {
  if (schema === null) return resolve;
  const { validators, strict } = schema;
  return (incoming, current, context) => {
    const resolved = resolve(incoming, current, context);
    if (context.op === 'delete' || (resolved !== null && !('value' in resolved))) return resolved;
    const value = resolved === null ? incoming : resolved.value;
    if (value === null) return resolved;
    const validate = validators.get(value.type);
    if (validate === undefined) {
      if (strict) return { refused: `Entity ${JSON.stringify(value.id)} has type ${JSON.stringify(value.type)}, which the schema does not name (strict: true refuses the others).` };
      return resolved;
    }
    let verdict: ReturnType<typeof runValidator>;
    try {
      verdict = runValidator(validate, value.data);
    } catch (error) {
      // A validator that throws (rather than answering with issues) still refuses only this write.
      verdict = { issues: [{ path: '', message: `the validator threw: ${error instanceof Error ? error.message : String(error)}` }] };
    }
    if ('issues' in verdict) return { refused: `Entity ${JSON.stringify(value.id)} of type ${JSON.stringify(value.type)} does not fit the schema: ${describeIssues(verdict.issues)}.` };
    const data = verdict.value as Entity['data'];
    return { value: data === value.data ? value : { ...value, data } };
  };
}
