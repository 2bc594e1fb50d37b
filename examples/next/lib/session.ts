import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SyncUser } from 'kalphite/server';

const SECRET = process.env.SESSION_SECRET ?? 'a development secret: set SESSION_SECRET';
/** Stand-ins for your users and your sign-in (Auth.js, iron-session, … give you the same: a user from a cookie). */
export const USERS = new Set(['ada', 'bob']);

/** The session cookie's value: the user id and its HMAC, so a client cannot name another user. */
export function sessionCookie(id: string): string {
  return `${id}.${sign(id)}`;
}

/** The signed-in user a session cookie names, or null (a 401). */
export function sessionUser(value: string | undefined): SyncUser | null {
  const dot = value?.lastIndexOf('.') ?? -1;
  if (!value || dot < 0) return null;
  const id = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(id));
  return given.length === expected.length && timingSafeEqual(given, expected) && USERS.has(id) ? { id } : null;
}

function sign(id: string): string {
  return createHmac('sha256', SECRET).update(id).digest('base64url');
}
