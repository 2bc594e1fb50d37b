import { cookies } from 'next/headers';
import { sessionCookie, USERS } from '../../lib/session';

/** A stand-in sign-in: `POST /login { "user": "ada" }` sets the session cookie. */
export async function POST(request: Request): Promise<Response> {
  const { user } = (await request.json()) as { user?: unknown };
  if (typeof user !== 'string' || !USERS.has(user)) return Response.json({ error: 'unknown user' }, { status: 401 });
  (await cookies()).set('session', sessionCookie(user), { httpOnly: true, sameSite: 'lax', path: '/' });
  return Response.json({ user });
}
