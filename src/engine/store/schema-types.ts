import type { EntitySchema, StandardSchemaV1 } from '../../protocol/standard-schema.js';
import type { Entity } from './entity.js';

export type { StandardSchemaV1, StandardSchemaProps, StandardResult, StandardIssue, EntitySchema } from '../../protocol/standard-schema.js';

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
