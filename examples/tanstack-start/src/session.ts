import { getCookie, useSession } from '@tanstack/react-start/server';
import type { SyncUser } from 'kalphite/server';

/** Stand-ins for your users and your sign-in. */
export const USERS = new Set(['ada', 'bob']);

const COOKIE = 'session';

interface SessionData {
  readonly userId?: string;
}

/** TanStack Start's own session: an encrypted cookie (h3's `useSession`). */
export function appSession() {
  return useSession<SessionData>({
    password: process.env.SESSION_SECRET ?? 'a development secret of 32 or more characters: set SESSION_SECRET',
    name: COOKIE,
    cookie: { httpOnly: true, sameSite: 'lax', path: '/', secure: process.env.NODE_ENV === 'production' },
  });
}

/** The signed-in user of the request being served, or null (a 401). */
export async function sessionUser(): Promise<SyncUser | null> {
  // No cookie, no user: useSession would start an empty session for every anonymous request.
  if (getCookie(COOKIE) === undefined) return null;
  const id = (await appSession()).data.userId;
  return id !== undefined && USERS.has(id) ? { id } : null;
}
