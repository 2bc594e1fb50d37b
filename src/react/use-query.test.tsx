import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKalphite, type Entity, type Kalphite, type LiveQuery } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { KalphiteProvider } from './provider.js';
import { useCount, useQuery } from './use-query.js';

const engines: Kalphite[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(engines.splice(0).map((k) => k.close()));
});

async function engine(): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000 });
  engines.push(k);
  return k;
}

const comment = (id: string, filePath: string, line: number, body = ''): Entity => ({ id, type: 'comment', data: { filePath, line, body }, space: 'default' });

describe('useQuery', () => {
  it('renders the sorted rows and re-renders only when they change', async () => {
    const k = await engine();
    k.store.batch(() => {
      k.store.entities.set('c1', comment('c1', '/a.ts', 3));
      k.store.entities.set('c2', comment('c2', '/a.ts', 1));
      k.store.entities.set('c3', comment('c3', '/b.ts', 2));
    });
    let renders = 0;
    function FileView({ path }: { path: string }) {
      renders++;
      const rows = useQuery('comment', { where: { filePath: path }, orderBy: 'line' });
      return <p>{rows.map((e) => e.id).join(',') || 'none'}</p>;
    }
    render(
      <KalphiteProvider kalphite={k}>
        <FileView path="/a.ts" />
      </KalphiteProvider>,
    );
    expect(screen.getByText('c2,c1')).toBeTruthy();
    const mounted = renders;

    await act(async () => {
      k.store.entities.set('c3', comment('c3', '/b.ts', 0, 'elsewhere'));
      k.store.entities.set('r1', { id: 'r1', type: 'review', data: {} });
    });
    expect(renders).toBe(mounted);

    await act(async () => {
      k.store.entities.set('c1', comment('c1', '/a.ts', 0));
    });
    expect(screen.getByText('c1,c2')).toBeTruthy();
    expect(renders).toBe(mounted + 1);
  });

  it('mounting renders once (the live query takes over the one-off answer without a second render)', async () => {
    const k = await engine();
    k.store.entities.set('c1', comment('c1', '/a.ts', 1));
    let renders = 0;
    function View() {
      renders++;
      return <p>{useQuery('comment', { where: { filePath: '/a.ts' } }).length} rows</p>;
    }
    render(
      <KalphiteProvider kalphite={k}>
        <View />
      </KalphiteProvider>,
    );
    expect(screen.getByText('1 rows')).toBeTruthy();
    expect(renders).toBe(1);
  });

  it('follows new options, and disposes every live query it opened on unmount (StrictMode too)', async () => {
    const k = await engine();
    k.store.batch(() => {
      k.store.entities.set('c1', comment('c1', '/a.ts', 1));
      k.store.entities.set('c2', comment('c2', '/b.ts', 1));
    });
    const opened: LiveQuery[] = [];
    const query = k.store.query.bind(k.store);
    vi.spyOn(k.store, 'query').mockImplementation((type, options) => {
      const live = query(type, options);
      opened.push(live);
      return live;
    });
    function View({ path }: { path: string }) {
      return <p>{useQuery('comment', { where: { filePath: path } }).map((e) => e.id).join(',')}</p>;
    }
    const { rerender, unmount } = render(
      <StrictMode>
        <KalphiteProvider kalphite={k}>
          <View path="/a.ts" />
        </KalphiteProvider>
      </StrictMode>,
    );
    expect(screen.getByText('c1')).toBeTruthy();
    rerender(
      <StrictMode>
        <KalphiteProvider kalphite={k}>
          <View path="/b.ts" />
        </KalphiteProvider>
      </StrictMode>,
    );
    expect(screen.getByText('c2')).toBeTruthy();
    await act(async () => {
      k.store.entities.set('c3', comment('c3', '/b.ts', 0));
    });
    expect(screen.getByText('c2,c3')).toBeTruthy();
    unmount();
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.filter((live) => !live.disposed)).toEqual([]);
  });
});

describe('useCount', () => {
  it('re-renders when the number changes, not for other writes', async () => {
    const k = await engine();
    let renders = 0;
    function Pending() {
      renders++;
      return <p>{useCount('review', { where: { status: 'pending' } })} pending</p>;
    }
    render(
      <KalphiteProvider kalphite={k}>
        <Pending />
      </KalphiteProvider>,
    );
    expect(screen.getByText('0 pending')).toBeTruthy();
    await act(async () => {
      k.store.entities.set('r1', { id: 'r1', type: 'review', data: { status: 'pending' } });
    });
    expect(screen.getByText('1 pending')).toBeTruthy();
    const before = renders;
    await act(async () => {
      k.store.entities.set('r1', { id: 'r1', type: 'review', data: { status: 'pending', title: 'renamed' } });
    });
    expect(renders).toBe(before);
  });
});
