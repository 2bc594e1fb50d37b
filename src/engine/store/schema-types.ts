import type { Entity } from './entity.js';

/**
 * The Standard Schema interface (standardschema.dev, v1), copied as its authors ask, so zod,
 * valibot, arktype and any other validator implementing `~standard` plug in without a dependency.
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

/** No schema: every type is any string and every `data` any JSON (the seed's API). */
export type NoSchema = Record<never, never>;

export type SchemaInput<V> = V extends StandardSchemaV1<infer Input, unknown> ? Input : never;
export type SchemaOutput<V> = V extends StandardSchemaV1<unknown, infer Output> ? Output : never;

/** An entity of type `T` whose data is `D`. (No schema resolves to `Entity` at once, whatever `T`.) */
export type TypedEntity<T extends string, D> = Entity<D> & { readonly type: T };

/**
 * The type names a store takes: the schema's (offered first by editors), and any other string
 * unless the schema is strict.
 */
export type TypeName<S extends EntitySchema, Strict extends boolean> = Strict extends true ? keyof S & string : (keyof S & string) | (string & {});

/** The entity a read of type `T` returns: its schema's output as `data`, or any JSON for a type the schema does not name. */
export type EntityOf<S extends EntitySchema, T extends string> = [keyof S] extends [never] ? Entity : T extends keyof S ? TypedEntity<T, SchemaOutput<S[T]>> : Entity;

/** What a write of type `T` takes: its schema's input as `data` (defaults may be left out). */
export type EntityInputOf<S extends EntitySchema, T extends string> = [keyof S] extends [never] ? Entity : T extends keyof S ? TypedEntity<T, SchemaInput<S[T]>> : Entity;

/** Any entity the store may hold: one per named type, narrowed by `type`, plus untyped ones unless strict. */
export type AnyEntityOf<S extends EntitySchema, Strict extends boolean> =
  | { [T in keyof S & string]: TypedEntity<T, SchemaOutput<S[T]>> }[keyof S & string]
  | (Strict extends true ? never : Entity);
