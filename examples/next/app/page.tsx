// Server rendering: the page reads the signed-in user's snapshot on the server, and the client
// component renders it at once — in the HTML, then hydrated — while its engine opens the local db.
import { cookies } from 'next/headers';
import { sessionUser } from '../lib/session';
import { syncCore } from '../lib/sync';
import { Notes } from './notes';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const user = sessionUser((await cookies()).get('session')?.value);
  if (!user) return <main>Sign in first: POST /login with {'{ "user": "ada" }'}.</main>;
  // The same authorize rules as a pull: only the spaces this user may read.
  const snapshot = await (await syncCore()).snapshot({ spaces: ['default'] }, { user });
  return (
    <main>
      <h1>Notes of {user.id}</h1>
      <Notes snapshot={snapshot} />
    </main>
  );
}
