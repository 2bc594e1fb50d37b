import { Suspense, useId, useMemo } from 'react';
import { CodeReview, KalphiteStyles, SyncStatusBadge } from '../src/components/index.js';
import { KalphiteDevtools } from '../src/devtools/index.js';
import type { Entity } from '../src/engine/index.js';
import { initializeStore, useEntities, useKalphiteInstance } from '../src/react/index.js';
import { DEMO_REVIEWS, DEMO_USERS, demoHeaders, demoUser, type DemoReview, type DemoUser } from './users.js';

// Signing in is choosing a user: their token goes with every sync request, and the server decides.
const user = demoUser(new URLSearchParams(location.search).get('user'));

if (user) {
  // Opened once, outside React: StrictMode mounts effects twice, and two PGlite instances must never
  // open one IndexedDB database at the same time. One database per user: what one user pulled must
  // never sit in a local database another user's session opens.
  void initializeStore({
    dataDir: `idb://kalphite-demo-${user.id}`,
    syncUrl: '/api/sync',
    syncHeaders: () => demoHeaders(user),
    spaces: DEMO_REVIEWS.map((review) => review.space),
    defaultSpace: DEMO_REVIEWS[0]!.space,
    pushDelayMs: 50,
    flushDelayMs: 50,
  }).then((kalphite) => {
    // For the browser console (and the e2e tests): `kalphite.inspect()`, `kalphite.store.getAll()`.
    Object.assign(globalThis, { kalphite });
  });
}

/** The code-review kit on a real engine: IndexedDB locally, the demo's sync server remotely. */
export function App() {
  if (!user) return <SignIn />;
  return (
    <Suspense fallback={<p role="status">Opening the local database…</p>}>
      <ReviewPage user={user} />
    </Suspense>
  );
}

function SignIn() {
  return (
    <main className="kalphite" style={{ padding: 16 }}>
      <KalphiteStyles />
      <h1>Kalphite code review</h1>
      <p>Sign in as one of the demo’s users. The server decides what each may read and write; each has a local database of their own in this browser.</p>
      <ul style={{ display: 'grid', gap: 8, padding: 0, listStyle: 'none' }}>
        {DEMO_USERS.map((u) => (
          <li key={u.id}>
            <a className="kalphite-button" href={`?user=${u.id}`}>
              Sign in as {u.name}
            </a>{' '}
            <span className="kalphite-muted">{u.access}</span>
          </li>
        ))}
      </ul>
    </main>
  );
}

function ReviewPage({ user }: { readonly user: DemoUser }) {
  const kalphite = useKalphiteInstance();
  return (
    <>
      <main className="kalphite" style={{ padding: 16, paddingBottom: 360, display: 'grid', gap: 24 }}>
        <header>
          <h1 style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
            Kalphite code review <SyncStatusBadge />
          </h1>
          <p>
            Signed in as <strong>{user.name}</strong> ({user.access}). <a href="./">Sign out</a>
          </p>
          <p className="kalphite-muted">Sign in as someone else in another browser (or a private window) and comment: each sees what the server lets them.</p>
        </header>
        {DEMO_REVIEWS.map((review) => (
          <ReviewSection key={review.space} review={review} user={user} />
        ))}
      </main>
      <KalphiteDevtools kalphite={kalphite} />
    </>
  );
}

type FileEntity = Entity<{ readonly path: string; readonly code: string; readonly oldCode?: string }>;

/** Files come from the server: read their data defensively. */
function isFile(entity: Entity): entity is FileEntity {
  const data = entity.data as { path?: unknown; code?: unknown; oldCode?: unknown } | null;
  return entity.type === 'file' && typeof data?.path === 'string' && typeof data.code === 'string' && (data.oldCode === undefined || typeof data.oldCode === 'string');
}

/** One review: its file comes from its space like its comments, so a user who may not read it never receives it. */
function ReviewSection({ review, user }: { readonly review: DemoReview; readonly user: DemoUser }) {
  const headingId = useId();
  const files = useEntities('file');
  const file = useMemo(() => files.find((f): f is FileEntity => f.space === review.space && isFile(f)) ?? null, [files, review.space]);
  return (
    <section aria-labelledby={headingId} style={{ display: 'grid', gap: 8 }}>
      <h2 id={headingId} style={{ margin: 0 }}>
        Review <code>{review.space}</code>
      </h2>
      <p className="kalphite-muted" style={{ margin: 0 }}>
        {review.audience}
      </p>
      <CodeReview
        space={review.space}
        label={review.space}
        filePath={file?.data.path ?? ''}
        code={file?.data.code ?? ''}
        {...(file?.data.oldCode !== undefined && { oldCode: file.data.oldCode })}
        currentUser={user.id}
      />
    </section>
  );
}
