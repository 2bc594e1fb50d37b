import { act, cleanup, render, screen } from '@testing-library/react';
import { memo, Suspense, useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createKalphite, type Entity, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { useEntities, useEntity, useKalphite, useKalphiteStore } from './hooks.js';
import { initializeStore, resetGlobalStore } from './global.js';
import { KalphiteProvider } from './provider.js';

const engines: Kalphite[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(engines.splice(0).map((k) => k.close()));
  await resetGlobalStore();
});

async function engine(): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000 });
  engines.push(k);
  return k;
}

const comment = (id: string, message: string): Entity => ({ id, type: 'comment', data: { message, lineNumber: 1 }, space: 'default' });

describe('useKalphiteStore (the seed hook)', () => {
  it('re-renders on every change (seed: the snapshot never changed)', async () => {
    const k = await engine();
    function Count() {
      const store = useKalphiteStore();
      return <p>{store.getByType('comment').length} comments</p>;
    }
    render(
      <KalphiteProvider kalphite={k}>
        <Count />
      </KalphiteProvider>,
    );
    expect(screen.getByText('0 comments')).toBeTruthy();
    await act(async () => {
      k.store.entities.set('c1', comment('c1', 'hi'));
    });
    expect(screen.getByText('1 comments')).toBeTruthy();
  });
});

describe('selector hooks re-render only what changed', () => {
  it('with 100 comment components, changing one comment re-renders one of them', async () => {
    const k = await engine();
    k.store.batch(() => {
      for (let i = 0; i < 100; i++) k.store.entities.set(`c${i}`, comment(`c${i}`, `message ${i}`));
    });
    const renders = new Map<string, number>();
    const Comment = memo(function Comment({ id }: { id: string }) {
      const entity = useEntity(id);
      renders.set(id, (renders.get(id) ?? 0) + 1);
      return <li>{(entity?.data as { message: string }).message}</li>;
    });
    const ids = Array.from({ length: 100 }, (_, i) => `c${i}`);
    render(
      <KalphiteProvider kalphite={k}>
        <ul>
          {ids.map((id) => (
            <Comment key={id} id={id} />
          ))}
        </ul>
      </KalphiteProvider>,
    );
    renders.clear();
    await act(async () => {
      k.store.entities.set('c42', comment('c42', 'edited'));
    });
    expect(screen.getByText('edited')).toBeTruthy();
    expect([...renders]).toEqual([['c42', 1]]);
  });

  it('useEntities and useKalphite skip renders for other types and equal selections', async () => {
    const k = await engine();
    let listRenders = 0;
    let countRenders = 0;
    function List() {
      listRenders++;
      return <p>{useEntities('comment').length} in list</p>;
    }
    function Pending() {
      countRenders++;
      const pending = useKalphite((s) => s.getByType('review').filter((r) => (r.data as { status: string }).status === 'pending').length);
      return <p>{pending} pending</p>;
    }
    render(
      <KalphiteProvider kalphite={k}>
        <List />
        <Pending />
      </KalphiteProvider>,
    );
    listRenders = 0;
    countRenders = 0;
    await act(async () => {
      k.store.entities.set('r1', { id: 'r1', type: 'review', data: { status: 'approved' } });
    });
    expect(listRenders).toBe(0);
    expect(countRenders).toBe(0);
    await act(async () => {
      k.store.entities.set('r2', { id: 'r2', type: 'review', data: { status: 'pending' } });
    });
    expect(screen.getByText('1 pending')).toBeTruthy();
    expect(listRenders).toBe(0);
  });
});

describe('the seed global mode', () => {
  it('initializeStore() with no arguments, then useKalphiteStore() without a provider; a fallback until ready', async () => {
    function App() {
      const store = useKalphiteStore();
      const [n, setN] = useState(0);
      const add = () => {
        const id = `c${n}`;
        setN(n + 1);
        store.entities.set(id, { id, type: 'comment', data: { message: 'Looks good!', lineNumber: 42, filePath: '/src/App.tsx', authorId: 'current-user' }, updatedAt: Date.now() });
      };
      return (
        <div>
          <h2>Comments ({store.getByType('comment').length})</h2>
          <button onClick={add}>Add Comment</button>
        </div>
      );
    }
    const ready = initializeStore();
    await act(async () => {
      render(
        <Suspense fallback={<p>Loading…</p>}>
          <App />
        </Suspense>,
      );
    });
    expect(screen.getByText('Loading…')).toBeTruthy();
    await act(async () => {
      await ready;
    });
    expect(await screen.findByText('Comments (0)', {}, { timeout: 5000 })).toBeTruthy();
    await act(async () => {
      screen.getByRole('button', { name: 'Add Comment' }).click();
    });
    expect(screen.getByText('Comments (1)')).toBeTruthy();
  });

  it('says what is missing when there is neither a provider nor initializeStore()', () => {
    function Bare() {
      useKalphiteStore();
      return null;
    }
    const original = console.error;
    console.error = () => {};
    try {
      expect(() => render(<Bare />)).toThrow(/KalphiteProvider|initializeStore/);
    } finally {
      console.error = original;
    }
  });
});
