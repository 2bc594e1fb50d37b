import type { Entity } from '../protocol/entity.js';
import { describeIssues, runValidator, schemaValidators, type EntitySchema, type Validate } from '../protocol/standard-schema.js';
import type { Resolve } from './mutations.js';

/** The server's schema, checked once when it starts: the same map of validators the engine takes. */
export function serverSchema(schema: EntitySchema | undefined): ReadonlyMap<string, Validate> | null {
  if (schema === undefined) return null;
  const validators = schemaValidators(schema, 'Option schema');
  if (typeof validators === 'string') throw new TypeError(`${validators}.`);
  return validators;
}

/**
 * The resolve step followed by the schema: what a write would store (the resolver's answer, or the
 * incoming entity when there is none) must fit its type's validator, and the validator's output is
 * what is stored. A write that does not fit is refused through the existing refused path, with the
 * issues as its reason; a type the schema does not name passes, as in the engine without `strict`.
 * Deletes are not checked: removing an entity needs no valid data.
 */
export function schemaCheckedResolve(resolve: Resolve, validators: ReadonlyMap<string, Validate> | null): Resolve {
  if (validators === null) return resolve;
  return (incoming, current, context) => {
    const resolved = resolve(incoming, current, context);
    if (context.op === 'delete' || (resolved !== null && !('value' in resolved))) return resolved;
    const value = resolved === null ? incoming : resolved.value;
    const validate = value === null ? undefined : validators.get(value.type);
    if (value === null || validate === undefined) return resolved;
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
