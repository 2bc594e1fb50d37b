/**
 * The Standard Schema interface (standardschema.dev, v1), copied as its authors ask, so zod,
 * valibot, arktype and any other validator implementing `~standard` plug in without a dependency;
 * and running one the way both the engine and the server do: synchronously, issues with paths.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

export type StandardResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] };

export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** A validator of `data` per entity type: `{ comment: z.object({ … }), review: v.object({ … }) }`. */
export type EntitySchema = { readonly [type: string]: StandardSchemaV1 };

/** One thing a validator found wrong: where inside `data` (`'line'`, `'author.id'`, `''` for data itself) and what. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

export type Validate = StandardSchemaProps['validate'];

/** What running a validator said: the value to store (its output), or the issues. */
export type SchemaVerdict = { readonly value: unknown } | { readonly issues: readonly SchemaIssue[] };

/**
 * The validators of a schema by type, or why it is not one: an object of Standard Schema
 * validators, each answering synchronously (a probe with `undefined` must not return a promise).
 */
export function schemaValidators(schema: unknown, what: string): Map<string, Validate> | string {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || Object.getPrototypeOf(schema) !== Object.prototype) {
    return `${what} must be an object mapping each entity type to a validator of its data (zod, valibot, arktype: anything with a ~standard property)`;
  }
  const validators = new Map<string, Validate>();
  for (const [type, validator] of Object.entries(schema)) {
    const standard = (validator as Partial<StandardSchemaV1> | null)?.['~standard'];
    if (standard?.version !== 1 || typeof standard.validate !== 'function') {
      return `${what}.${type} is not a Standard Schema validator (it needs a ~standard property of version 1 with a validate function)`;
    }
    // Writes are synchronous: a validator that answers with a promise could never be waited for.
    if (isThenable(standard.validate(undefined))) return `${what}.${type} validates asynchronously (${standard.vendor}); its validators must answer synchronously`;
    validators.set(type, standard.validate);
  }
  return validators;
}

/** Runs one validator on `data`; an answer that turns out asynchronous (an async refinement) is an issue. */
export function runValidator(validate: Validate, data: unknown): SchemaVerdict {
  const result = validate(data);
  if (isThenable(result)) return { issues: [{ path: '', message: 'the validator answered asynchronously (an async refinement?); writes need a synchronous answer' }] };
  if (result.issues !== undefined) return { issues: result.issues.map(toIssue) };
  return { value: result.value };
}

/** The issues in one line: `line: Expected number; author.id: Required`. */
export function describeIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`)).join('; ');
}

function toIssue(issue: StandardIssue): SchemaIssue {
  const path = (issue.path ?? []).map((segment) => String(typeof segment === 'object' && segment !== null ? segment.key : segment)).join('.');
  return { path, message: issue.message };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
