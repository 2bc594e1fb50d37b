'use client';
import { useEffect, useState, type FormEvent } from 'react';
import type { KalphiteSnapshot } from 'kalphite';
import { KalphiteProvider, useEntities, useKalphiteInstance } from 'kalphite/react';

// Read once, on mount; relative sync routes are this app's own.
const options = { dataDir: 'idb://kalphite-next', syncUrl: '/api/sync' };

/** The notes, from the server's snapshot at first paint, then live from the engine. */
export function Notes({ snapshot }: { readonly snapshot: KalphiteSnapshot }) {
  return (
    <KalphiteProvider options={options} initialSnapshot={snapshot}>
      <NoteList />
    </KalphiteProvider>
  );
}

type LocalDbState = 'opening' | 'open' | 'failed';

function NoteList() {
  const kalphite = useKalphiteInstance();
  const notes = useEntities('note');
  const [localDb, setLocalDb] = useState<LocalDbState>('opening');
  const [hydrated, setHydrated] = useState(false);
  const [text, setText] = useState('');
  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    kalphite.ready.then(
      () => setLocalDb('open'),
      () => setLocalDb('failed'),
    );
  }, [kalphite]);

  const add = (event: FormEvent) => {
    event.preventDefault();
    const id = crypto.randomUUID();
    // Writes work before the local db has opened: they wait in the flusher, and are kept.
    kalphite.store.entities.set(id, { id, type: 'note', data: { text, early: localDb !== 'open' } });
    setText('');
  };

  return (
    <section data-local-db={localDb} data-hydrated={hydrated}>
      <p>Local database: {localDb}</p>
      <ul aria-label="Notes">
        {notes.map((note) => {
          const data = note.data as { readonly text?: string; readonly early?: boolean };
          return (
            <li key={note.id}>
              {data.text}
              {data.early ? ' (written before the local db opened)' : ''}
            </li>
          );
        })}
      </ul>
      <form onSubmit={add}>
        <label>
          New note <input value={text} onChange={(event) => setText(event.target.value)} required />
        </label>
        <button type="submit">Add</button>
      </form>
    </section>
  );
}
