import type { Entity, JsonPrimitive, JsonValue } from '../store/entity.js';

/**
 * What a query asks for, typed by the entity it reads: `where` fields are dotted paths inside
 * `data` whose values are compared with `===`; `orderBy` a path (or `[path, 'desc']`), ties by id.
 */
export interface QueryOptions<E extends Entity<unknown> = Entity> {
  /** Field equality (`{ filePath: '/src/a.ts' }`), answered from a secondary index of those fields. */
  readonly where?: WhereOf<E['data']>;
  /** A further predicate, run on the entities `where` and `space` let through (keep it pure and memoized). */
  readonly filter?: (entity: E) => boolean;
  readonly orderBy?: OrderOf<E['data']>;
  /** The first `limit` rows in order (default: all). */
  readonly limit?: number;
  /** Only entities of this space. */
  readonly space?: string;
}

/** What a count asks for: the same filters as a query, without order or limit. */
export type CountOptions<E extends Entity<unknown> = Entity> = Pick<QueryOptions<E>, 'where' | 'filter' | 'space'>;

/** The sort of a query: a path inside `data`, ascending, or with its direction. */
export type OrderOf<D> = DataPath<D> | readonly [DataPath<D>, 'asc' | 'desc'];

/** Equality on paths inside `data`: each value is a JSON primitive the field may hold. */
export type WhereOf<D> = IsUntyped<D> extends true
  ? Readonly<Record<string, JsonPrimitive | undefined>>
  : { readonly [P in DataPath<D>]?: Extract<PathValue<D, P>, JsonPrimitive> };

/** Untyped data (`JsonValue`, `unknown`): any path is allowed. */
type IsUntyped<D> = unknown extends D ? true : JsonValue extends D ? true : false;

type Depth = [never, 0, 1, 2, 3];

/** Every dotted path into `D`'s objects, four levels deep (arrays are leaves). */
export type DataPath<D, Level extends number = 4> = IsUntyped<D> extends true
  ? string
  : [Level] extends [never]
    ? never
    : D extends readonly unknown[]
      ? never
      : D extends object
        ? { [K in keyof D & string]: K | (NonNullable<D[K]> extends readonly unknown[] ? never : NonNullable<D[K]> extends object ? `${K}.${DataPath<NonNullable<D[K]>, Depth[Level]>}` : never) }[keyof D & string]
        : never;

/** The type at a dotted path of `D` (undefined where an optional step may be missing). */
export type PathValue<D, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof NonNullable<D>
    ? PathValue<NonNullable<D>[Head], Rest> | (undefined extends D ? undefined : never)
    : undefined
  : P extends keyof NonNullable<D>
    ? NonNullable<D>[P] | (undefined extends D ? undefined : never)
    : undefined;
