import { Suspense } from 'react';
import { CodeReview, SyncStatusBadge } from '../src/components/index.js';
import { KalphiteDevtools } from '../src/devtools/index.js';
import { initializeStore, useKalphiteInstance } from '../src/react/index.js';

const FILE_PATH = '/src/engine/store.ts';
const CODE = `import { assertEntity, type Entity } from './entity.js';

/** Layer 1: synchronous reads and writes over memory. */
export class MemoryStore {
  readonly #entities = new Map<string, Entity>();

  getById(id: string): Entity | null {
    return this.#entities.get(id) ?? null;
  }

  set(id: string, entity: Entity): void {
    assertEntity(id, entity);
    this.#entities.set(id, entity);
  }
}`;

// Each browser profile is one client with its own IndexedDB database; the user name is per tab.
const user = new URLSearchParams(location.search).get('user') ?? 'demo';

// Opened once, outside React: StrictMode mounts effects twice, and two PGlite instances must never
// open one IndexedDB database at the same time.
void initializeStore({ dataDir: 'idb://kalphite-demo', syncUrl: '/api/sync', pushDelayMs: 50, flushDelayMs: 50 });

/** The code-review kit on a real engine: IndexedDB locally, the demo's sync server remotely. */
export function App() {
  return (
    <Suspense fallback={<p role="status">Opening the local database…</p>}>
      <ReviewPage />
    </Suspense>
  );
}

function ReviewPage() {
  const kalphite = useKalphiteInstance();
  return (
    <>
      <main style={{ fontFamily: 'system-ui, sans-serif', padding: 16, paddingBottom: 360 }}>
        <h1 style={{ display: 'flex', gap: 12, alignItems: 'center' }}>
          Kalphite code review <SyncStatusBadge />
        </h1>
        <p>
          Signed in as <strong>{user}</strong>. Open this page in another browser (or a private window) and comment: the comment appears in both.
        </p>
        <CodeReview filePath={FILE_PATH} code={CODE} currentUser={user} />
      </main>
      <KalphiteDevtools kalphite={kalphite} />
    </>
  );
}
