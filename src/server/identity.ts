import { idProblem } from '../protocol/entity.js';

/**
 * Who is calling: what the `authenticate` hook returns. `id` names the user for permissions and owns
 * the client groups it syncs with (SPACES.md rule 7); any other fields are the app's, passed through
 * to `authorize` and the resolvers untouched.
 */
export interface SyncUser {
  readonly id: string;
  readonly [field: string]: unknown;
}

/** Every caller when there is no `authenticate` hook (demos, tests, one person's data). */
export const ANONYMOUS_USER: SyncUser = Object.freeze({ id: 'anonymous' });

/**
 * Why `value` cannot be a user, or null. The id is stored beside every client group it owns, so it
 * must be text PostgreSQL can hold and index, like every other id.
 */
export function userProblem(value: unknown): string | null {
  if (value === true) return 'true is not a user (return { id } for a signed-in caller, null or false for a 401)';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`} is not a user { id }`;
  return idProblem((value as { id?: unknown }).id, "the user's id");
}
