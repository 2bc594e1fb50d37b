import { entityProblem, withSpace, type Entity } from '../../protocol/entity.js';
import type { PokeChange } from '../../protocol/poke.js';
import { parsePullResponse, PULL_VERSION, type Cookie, type Overwritten, type PatchOperation, type Refusal } from '../../protocol/pull.js';
import { KalphiteError } from '../errors.js';

/** A pull never follows more pages than this: a server that always says `more` is broken. */
const MAX_PAGES = 10_000;

export interface PullPagesRequest {
  /** Values without a space (from a server older than spaces) are given this one. */
  readonly space: string;
  readonly clientGroupID: string;
  readonly profileID: string;
  /** The app's schemaVersion (`createKalphite({ schemaVersion })`): the server may refuse one it no longer serves. */
  readonly schemaVersion: string;
  /** Where to start: the client's cookie, or null for everything. */
  readonly cookie: Cookie;
  /** Patch entries per page. */
  readonly limit: number;
  /** POSTs a pull body; resolves to the answer's text (the transport's `post('pull', …)`). */
  readonly post: (body: string) => Promise<string>;
  /** Hears each page as it lands (a large space's first pull reports progress). */
  readonly onPage?: (progress: { readonly pages: number; readonly entities: number; readonly more: boolean }) => void;
}

/** Every page of one pull, folded into one patch. */
export interface PulledPages {
  /** Each changed id's newest value (undefined: deleted). */
  readonly writes: ReadonlyMap<string, Entity | undefined>;
  /** After a `clear`: the ids the server still holds (everything else goes); null without one. */
  readonly keep: ReadonlySet<string> | null;
  readonly cookie: Cookie;
  /** Every client of the group the last page named; null when it named none. */
  readonly acknowledgedUpTo: Readonly<Record<string, number>> | null;
  readonly refused: readonly Refusal[];
  /** This group's writes a later patch replaced unseen (from the last page). */
  readonly overwritten: readonly Overwritten[];
  /** Answer text length, summed over pages. */
  readonly bytes: number;
  /** Patch entries, summed over pages. */
  readonly patchSize: number;
  /** What the last page said of the caller's right to write (undefined: the server did not say). */
  readonly writable: boolean | undefined;
}

/**
 * Pulls page after page until the server says there is no more, so a client never skips a
 * version whatever the page size (invariant 8). A cookie the server does not know
 * (ClientStateNotFound: its data was reset) starts again from null. What the server sends is
 * checked before anyone uses it: a bad entity fails the whole pull.
 */
export async function pullPages(request: PullPagesRequest): Promise<PulledPages> {
  const writes = new Map<string, Entity | undefined>();
  let keep: Set<string> | null = null;
  let cookie = request.cookie;
  let acknowledgedUpTo: Readonly<Record<string, number>> | null = null;
  let refused: readonly Refusal[] = [];
  let overwritten: readonly Overwritten[] = [];
  let writable: boolean | undefined;
  let entities = 0;
  let bytes = 0;
  let patchSize = 0;
  let pages = 0;
  for (let more = true; more; ) {
    if (++pages > MAX_PAGES) throw new KalphiteError('protocol', 'The server kept sending more pages.');
    const { clientGroupID, profileID, schemaVersion, limit } = request;
    const text = await request.post(JSON.stringify({ pullVersion: PULL_VERSION, clientGroupID, profileID, schemaVersion, cookie, limit }));
    bytes += text.length;
    const response = parsePullResponse(parseJson(text));
    if ('error' in response) {
      if (response.error === 'ClientStateNotFound' && cookie !== null) {
        cookie = null;
        writes.clear();
        keep = null;
        continue;
      }
      throw new KalphiteError('protocol', `The server answered ${response.error}.`);
    }
    patchSize += response.patch.length;
    const folded = foldPatch(response.patch, request.space, writes, keep);
    keep = folded.keep;
    entities += folded.entities;
    cookie = response.cookie;
    more = response.more === true;
    // Acknowledgements and refusals ride on the last page, which sees the whole version.
    if (!more && Object.keys(response.lastMutationIDChanges).length > 0) acknowledgedUpTo = response.lastMutationIDChanges;
    if (!more) {
      refused = response.refused ?? [];
      overwritten = response.overwritten ?? [];
    }
    if (!more) writable = response.writable;
    request.onPage?.({ pages, entities, more });
  }
  return { writes, keep, cookie, acknowledgedUpTo, refused, overwritten, bytes, patchSize, writable };
}

/**
 * A poke's change as the pull from its previous version would have landed it (`protocol/poke.ts`):
 * the same checks of every entity, the same fold.
 */
export function pokePages(space: string, version: number, change: PokeChange, bytes: number): PulledPages {
  const writes = new Map<string, Entity | undefined>();
  foldPatch(change.patch, space, writes, null);
  const acknowledgedUpTo = Object.keys(change.lastMutationIDChanges).length > 0 ? change.lastMutationIDChanges : null;
  return { writes, keep: null, cookie: version, acknowledgedUpTo, refused: change.refused ?? [], overwritten: change.overwritten ?? [], bytes, patchSize: change.patch.length, writable: change.writable };
}

/** Folds patch operations into `writes` (a `clear` starts `keep` over); a bad entity fails the whole pull. */
function foldPatch(patch: readonly PatchOperation[], space: string, writes: Map<string, Entity | undefined>, keep: Set<string> | null): { keep: Set<string> | null; entities: number } {
  let entities = 0;
  for (const op of patch) {
    if (op.op === 'clear') {
      keep = new Set();
      writes.clear();
    } else if (op.op === 'del') {
      writes.set(op.key, undefined);
      keep?.delete(op.key);
    } else {
      const problem = entityProblem(op.key, op.value);
      if (problem) throw new KalphiteError('protocol', `The server sent a bad entity for "${op.key}": ${problem.message}`);
      const entity = op.value as unknown as Entity;
      writes.set(op.key, entity.space === undefined ? withSpace(entity, space) : entity);
      keep?.add(op.key);
      entities++;
    }
  }
  return { keep, entities };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KalphiteError('protocol', 'The sync server sent a body that is not JSON.');
  }
}
