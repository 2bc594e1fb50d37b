import type { AuthorizeRequest, SyncUser } from '../src/server/index.js';
import { DEMO_USERS } from './users.js';

/**
 * The demo server's identity and permissions (SPACES.md): a bearer token names the user, and an
 * ACL says who may read and write each review's space. Framework-free, so the Node demo server and
 * the stories' MSW handlers check exactly the same rules.
 */

/** Members read and write; `everyone` reads (and writes, if true) too. Spaces not listed: nobody. */
const ACL: Readonly<Record<string, { readonly members: readonly string[]; readonly everyone: 'read' | 'none' }>> = {
  'review:store': { members: ['ada', 'grace'], everyone: 'read' },
  'review:auth': { members: ['ada'], everyone: 'none' },
};

/** The user whose token the request carries, or null (a 401). */
export function authenticateDemo(request: Request): SyncUser | null {
  const token = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
  const user = DEMO_USERS.find((u) => u.token === token);
  return user ? { id: user.id, name: user.name } : null;
}

export function authorizeDemo({ user, space, action }: AuthorizeRequest): boolean {
  const rule = ACL[space];
  if (!rule) return false;
  if (rule.members.includes(user.id)) return true;
  return action === 'read' && rule.everyone === 'read';
}
