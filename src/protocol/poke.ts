import { isRecord } from './json.js';
import { parsePullResponse, type Overwritten, type PatchOperation, type PullResponseOK, type Refusal } from './pull.js';
import { parsePokeData, pokeData, type Poke } from './space.js';

/** The version of a poke that carries its change (`pokeVersion` on the wire). */
export const POKE_VERSION = 1;

/**
 * What a poke carries beside its version, for one client group: exactly what a pull from
 * `previous` answered at `version` (the cookie), so a client at `previous` lands it as that pull's
 * answer. Like Zero's poke (`baseCookie`, `cookie`, `lastMutationIDChanges`, `patch`).
 */
export interface PokeChange {
  readonly previous: number;
  /** The client group whose mutation ids `lastMutationIDChanges` holds (the one the stream named). */
  readonly clientGroupID: string;
  readonly patch: readonly PatchOperation[];
  readonly lastMutationIDChanges: Readonly<Record<string, number>>;
  readonly refused?: readonly Refusal[];
  /** The group's writes this version replaced unseen (the ledger's notes), as the pull sends them. */
  readonly overwritten?: readonly Overwritten[];
  /**
   * Whether the group's user may write the space, as the push that made this version checked it: in
   * the pushing group's poke only, so the writer learns it as a pull would tell it (absent: not said).
   */
  readonly writable?: boolean;
}

/** A poke as a client reads it: a space's version, with its change when the server sent one, or a gap. */
export type ChangePoke = ({ readonly space: string; readonly version: number; readonly change?: PokeChange }) | { readonly space: null };

/**
 * One poke event's data. Without a change it is `pokeData` as before (`{ space, version }`), which
 * older clients and Replicache apps read; the change's fields sit beside those two.
 */
export function pokeMessage(space: string, version: number, change: PokeChange | null): string {
  if (change === null) return pokeData(space, version);
  return JSON.stringify({ space, version, pokeVersion: POKE_VERSION, ...change });
}

/**
 * A poke event's data, checked as `unknown`: a change that is not this version's, or not a valid
 * pull answer, is dropped and the poke stays a hint to pull (pulls are the source of truth).
 */
export function parsePoke(data: string | undefined): ChangePoke {
  const poke: Poke = parsePokeData(data);
  if (poke.space === null || data === undefined) return poke;
  const value = JSON.parse(data) as unknown;
  const change = isRecord(value) ? changeIn(value, poke.version) : null;
  return change === null ? poke : { ...poke, change };
}

function changeIn(value: Readonly<Record<string, unknown>>, version: number): PokeChange | null {
  const { pokeVersion, previous, clientGroupID } = value;
  if (pokeVersion !== POKE_VERSION) return null;
  if (typeof previous !== 'number' || !Number.isSafeInteger(previous) || previous < 0 || previous >= version) return null;
  if (typeof clientGroupID !== 'string' || clientGroupID === '') return null;
  let response: PullResponseOK;
  try {
    const parsed = parsePullResponse({ cookie: version, patch: value.patch, lastMutationIDChanges: value.lastMutationIDChanges, refused: value.refused, overwritten: value.overwritten, writable: value.writable });
    if ('error' in parsed) return null;
    response = parsed;
  } catch {
    // Not a valid change: the poke is still a hint, answered with a pull.
    return null;
  }
  if (response.patch.some((op) => op.op === 'clear')) return null;
  return {
    previous,
    clientGroupID,
    patch: response.patch,
    lastMutationIDChanges: response.lastMutationIDChanges,
    ...(response.refused && { refused: response.refused }),
    ...(response.overwritten && { overwritten: response.overwritten }),
    ...(response.writable !== undefined && { writable: response.writable }),
  };
}
