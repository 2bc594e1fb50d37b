import { createServerFileRoute } from '@tanstack/react-start/server';
import { appSession, USERS } from '../session';

/** A stand-in sign-in: `POST /login { "user": "ada" }` starts the session. */
export const ServerRoute = createServerFileRoute('/login').methods({
  POST: async ({ request }) => {
    const { user } = (await request.json()) as { user?: unknown };
    if (typeof user !== 'string' || !USERS.has(user)) return Response.json({ error: 'unknown user' }, { status: 401 });
    await (await appSession()).update({ userId: user });
    return Response.json({ user });
  },
});
