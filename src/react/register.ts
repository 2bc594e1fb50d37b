import type { EntitySchema, KalphiteStore, NoSchema } from '../engine/index.js';

/**
 * Register your schema once, and every hook is typed by it without a type parameter (the
 * convention TanStack Router uses):
 *
 * ```ts
 * declare module 'kalphite/react' {
 *   interface Register {
 *     schema: typeof schema;
 *     strict: true; // only when createKalphite was given strict: true
 *   }
 * }
 * ```
 */
export interface Register {}

/** The registered schema, or none (every type a string, every data any JSON). */
export type RegisteredSchema = Register extends { readonly schema: infer S extends EntitySchema } ? S : NoSchema;

/** Whether the registered schema names every type (`strict: true`). */
export type RegisteredStrict = Register extends { readonly strict: true } ? true : false;

/** The store as the hooks see it: typed by the registered schema. */
export type RegisteredStore = KalphiteStore<RegisteredSchema, RegisteredStrict>;
