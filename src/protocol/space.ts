import { ProtocolError } from './errors.js';

/**
 * Spaces (`../shared/design/SPACES.md`): every entity belongs to exactly one, each has its own
 * version, and on the wire a (browser profile, space) pair is one Replicache client group.
 */

/** Where a write without `space`, and a request without `?space=`, goes. */
export const DEFAULT_SPACE = 'default';

export const MAX_SPACE_LENGTH = 200;

const SPACE_ID = /^[A-Za-z0-9:._\-/@]+$/;

/** Why `value` cannot be a space id (1–200 letters, digits and `:._-/@`), or null. */
export function spaceProblem(value: unknown, what = 'space'): string | null {
  if (typeof value !== 'string' || value === '') return `${what} must be a non-empty string`;
  if (value.length > MAX_SPACE_LENGTH) return `${what} is ${value.length} characters long; at most ${MAX_SPACE_LENGTH} are allowed`;
  if (!SPACE_ID.test(value)) return `${what} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)} may hold only letters, digits and :._-/@`;
  return null;
}

/** A space id from a query parameter or a body field, or a 400 saying what is wrong. */
export function requireSpace(value: unknown, what = 'space'): string {
  const problem = spaceProblem(value, what);
  if (problem) throw new ProtocolError('invalid-request', `Invalid request: ${problem}.`);
  return value as string;
}

/**
 * One poke event's data: a space committed a version, or `gap` (the server's channel was lost and
 * is back: pokes may have been missed, pull every space). Older servers sent a bare version, which
 * stands for every space too.
 */
export type Poke = { readonly space: string; readonly version: number } | { readonly space: null };

export function pokeData(space: string, version: number): string {
  return JSON.stringify({ space, version });
}

export const POKE_GAP = 'gap';

export function parsePokeData(data: string | undefined): Poke {
  if (data !== undefined && data.startsWith('{')) {
    try {
      const value = JSON.parse(data) as { space?: unknown; version?: unknown };
      if (spaceProblem(value.space) === null && typeof value.version === 'number' && Number.isSafeInteger(value.version)) {
        return { space: value.space as string, version: value.version };
      }
    } catch {
      // Not JSON: a poke that names no space, which a client answers by pulling every space.
    }
  }
  return { space: null };
}
