import { useEffect, useMemo, useRef } from 'react';
import { createDevtoolsUiStore, createFaultInjector, KalphiteDevtoolsPanel, type DevtoolsTab } from '../../src/devtools/production.js';
import type { Kalphite, KalphiteOptions } from '../../src/engine/index.js';
import { useKalphiteInstance } from '../../src/react/index.js';
import { LiveEngine } from './live-engine.js';
import { seedManyComments, seedReview } from './sample-data.js';

/* The panel over a live engine, for the devtools stories: an app's write buttons above it. */

/**
 * Buttons standing in for the app: each press writes one new note (note-1, note-2, …); with
 * `largeBytes`, a second button writes a note of about that many bytes (large-1, …).
 */
function Write({ largeBytes }: { largeBytes?: number | undefined }) {
  const { store } = useKalphiteInstance();
  const count = useRef(0);
  const large = useRef(0);
  const write = () => {
    const id = `note-${++count.current}`;
    store.entities.set(id, { id, type: 'note', data: { text: 'from the app' }, updatedAt: Date.now() });
  };
  const writeLarge = () => {
    const id = `large-${++large.current}`;
    store.entities.set(id, { id, type: 'note', data: { text: 'x'.repeat(largeBytes ?? 0) }, updatedAt: Date.now() });
  };
  return (
    <div style={{ display: 'flex', gap: 8, marginBottom: 8 }}>
      <button type="button" onClick={write}>
        Write in the app
      </button>
      {largeBytes !== undefined && (
        <button type="button" onClick={writeLarge}>
          Write a large note
        </button>
      )}
    </div>
  );
}

/** Writes a note every 10 ms while mounted: 100 writes (and several hundred events) a second. */
function BusyWriter() {
  const { store } = useKalphiteInstance();
  useEffect(() => {
    let n = 0;
    const timer = setInterval(() => {
      const id = `busy-${n++ % 500}`;
      store.entities.set(id, { id, type: 'note', data: { n }, updatedAt: Date.now() });
    }, 10);
    return () => clearInterval(timer);
  }, [store]);
  return <p>Writing 100 notes a second.</p>;
}

export type Seed = 'none' | 'review' | 'large';

export interface DevtoolsStoryProps {
  readonly seed: Seed;
  readonly sync: boolean;
  /** Wrap the engine's fetch in a fault injector (adds the Faults tab). */
  readonly faults?: boolean;
  readonly busy?: boolean;
  /** The tab the panel opens on. */
  readonly tab?: DevtoolsTab;
  /** Adds a "Write a large note" button writing a note of about this many bytes. */
  readonly largeNoteBytes?: number;
  readonly theme?: 'light' | 'dark';
  /** The panel's width in px (default: the frame's); the views are tabs when they fit, a menu otherwise. */
  readonly width?: number;
  /** Runs once the engine is ready, after the seed (pause sync, say). */
  readonly onReady?: (kalphite: Kalphite) => void;
}

// Each story starts from its own UI state: a remembered tab from another story would change what it shows.
const noStorage = { getItem: () => null, setItem: () => {}, removeItem: () => {} };

export function DevtoolsStory({ seed, sync, faults, busy, tab = 'memory', largeNoteBytes, theme = 'light', width, onReady }: DevtoolsStoryProps) {
  const injector = useMemo(() => (faults ? createFaultInjector() : undefined), [faults]);
  const ui = useMemo(() => {
    const store = createDevtoolsUiStore(noStorage);
    store.getState().set({ tab });
    return store;
  }, [tab]);
  const options: KalphiteOptions = {
    // Seeded writes wait for "Flush now" unless the story needs the engine's own pace.
    flushDelayMs: faults ? 0 : busy ? 100 : 60_000,
    // A busy app flushes at the max wait; otherwise seeded writes wait for "Flush now".
    flushMaxWaitMs: busy ? 1000 : 120_000,
    ...(sync && { syncUrl: '/api/sync', pushDelayMs: 0, syncRetry: { baseMs: 200, maxMs: 2000 } }),
    ...(injector && { fetch: injector.fetch }),
  };
  const seedData = (store: Parameters<typeof seedReview>[0]) => (seed === 'large' ? seedManyComments(store, 10_000) : seed === 'review' ? seedReview(store) : undefined);
  return (
    <div data-kalphite-theme={theme} style={{ background: theme === 'dark' ? '#0d1117' : undefined, padding: 8, ...(width !== undefined && { width, boxSizing: 'content-box' }) }}>
      <LiveEngine
        options={options}
        onReady={(k) => {
          seedData(k.store);
          onReady?.(k);
        }}
      >
        {(kalphite) => (
          <>
            <Write largeBytes={largeNoteBytes} />
            {busy && <BusyWriter />}
            <KalphiteDevtoolsPanel kalphite={kalphite} ui={ui} {...(injector && { faults: injector })} />
          </>
        )}
      </LiveEngine>
    </div>
  );
}

