import { ProtocolError } from '../protocol/errors.js';
import type { SyncUser } from './identity.js';
import type { ServerErrorHook } from './problems.js';

export type SpaceAction = 'read' | 'write';

export interface AuthorizeRequest {
  readonly user: SyncUser;
  readonly space: string;
  readonly action: SpaceAction;
}

/**
 * Whether `user` may read or write `space` (SPACES.md). Asked on every pull (read and write: the
 * answer says whether the space is writable), every push (write) and before every poke (read), so a
 * revoked permission holds from the next request on. Without the hook everything is allowed.
 */
export type Authorize = (request: AuthorizeRequest) => boolean | Promise<boolean>;

/** Asks one permission; a hook that throws (or answers anything but a boolean) refuses with 403, reported. */
export type PermissionCheck = (user: SyncUser, space: string, action: SpaceAction) => Promise<boolean>;

export function permissionCheck(authorize: Authorize | undefined, onError: ServerErrorHook): PermissionCheck {
  if (!authorize) return async () => true;
  return async (user, space, action) => {
    let answer: unknown;
    try {
      answer = await authorize({ user, space, action });
    } catch (error) {
      onError({ code: 'authorize-threw', message: `The authorize hook threw on ${action} of space ${space} by user ${user.id}: ${describe(error)}`, cause: error });
      throw new ProtocolError('forbidden', 'The server could not check your permissions; nothing was read or changed.');
    }
    if (typeof answer !== 'boolean') {
      onError({ code: 'authorize-invalid', message: `The authorize hook answered ${typeof answer}, not a boolean, on ${action} of space ${space} by user ${user.id}.` });
      throw new ProtocolError('forbidden', 'The server could not check your permissions; nothing was read or changed.');
    }
    return answer;
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
