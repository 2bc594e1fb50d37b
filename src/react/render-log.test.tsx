import { act, cleanup, render, screen } from '@testing-library/react';
import { memo, useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKalphite, type Entity, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { componentNameFromStack } from './component-name.js';
import { useEntity, useKalphite, useKalphiteStore } from './hooks.js';
import { KalphiteProvider } from './provider.js';
import { RENDER_LOG_LIMIT, renderLog, type RenderReport } from './render-log.js';
import { useHistory } from './use-history.js';
import { useCount, useQuery } from './use-query.js';

const engines: Kalphite[] = [];
afterEach(async () => {
  cleanup();
  vi.unstubAllEnvs();
  vi.resetModules();
  await Promise.all(engines.splice(0).map((k) => k.close()));
});

async function engine(): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000 });
  engines.push(k);
  return k;
}

const comment = (id: string, message: string): Entity => ({ id, type: 'comment', data: { message }, space: 'default' });

/** The reports delivered so far (the log notifies once per burst, after a microtask). */
async function reports(k: Kalphite): Promise<readonly RenderReport[]> {
  await Promise.resolve();
  return renderLog(k).reports;
}

const CommentRow = memo(function CommentRow({ id }: { id: string }) {
  const entity = useEntity(id);
  return <li>{(entity?.data as { message: string } | undefined)?.message}</li>;
});

function Everything() {
  const store = useKalphiteStore();
  return <p>{store.getAll().length} entities</p>;
}

describe('render reports (development)', () => {
  it('names the component and the commit: useEntity renders for its entity only, useKalphiteStore for every commit', async () => {
    const k = await engine();
    k.store.batch(() => ['a', 'b'].forEach((id) => k.store.entities.set(id, comment(id, `message ${id}`))));
    render(
      <KalphiteProvider kalphite={k}>
        <ul>
          <CommentRow id="a" />
          <CommentRow id="b" />
        </ul>
        <Everything />
      </KalphiteProvider>,
    );
    // Mounting is not a render for a commit.
    expect(await reports(k)).toEqual([]);
    await act(async () => k.store.entities.set('b', comment('b', 'edited')));
    const afterB = k.store.version;
    await act(async () => k.store.entities.set('x', { id: 'x', type: 'file', data: {}, space: 'default' }));
    expect(screen.getByText('edited')).toBeTruthy();
    expect(await reports(k)).toEqual([
      { version: afterB, component: 'CommentRow', hook: 'useEntity', everyChange: false },
      { version: afterB, component: 'Everything', hook: 'useKalphiteStore', everyChange: true },
      { version: k.store.version, component: 'Everything', hook: 'useKalphiteStore', everyChange: true },
    ]);
  });

  it('does not report a render the hook did not cause: a parent’s, with the same value', async () => {
    const k = await engine();
    k.store.entities.set('a', comment('a', 'hello'));
    let bump = () => {};
    function Parent() {
      const [n, setN] = useState(0);
      bump = () => setN(n + 1);
      // Not memoised: the parent's render renders it, its entity unchanged.
      return <Child key="child" n={n} />;
    }
    function Child({ n }: { n: number }) {
      const entity = useEntity('a');
      return <p>{`${n} ${(entity?.data as { message: string }).message}`}</p>;
    }
    render(
      <KalphiteProvider kalphite={k}>
        <Parent />
      </KalphiteProvider>,
    );
    await act(async () => bump());
    // A commit elsewhere, then the parent again: still nothing the hook caused.
    await act(async () => k.store.entities.set('z', comment('z', 'other')));
    await act(async () => bump());
    expect(screen.getByText('2 hello')).toBeTruthy();
    expect(await reports(k)).toEqual([]);
  });

  it('reports the live-query hooks and useHistory under their own names', async () => {
    const k = await engine();
    function Counts() {
      const rows = useQuery('comment', { where: { message: 'yes' } });
      const count = useCount('comment');
      const { canUndo } = useHistory();
      const selected = useKalphite((store) => store.getByType('comment').length > 1);
      return <p>{`${rows.length} ${count} ${canUndo} ${selected}`}</p>;
    }
    render(
      <KalphiteProvider kalphite={k}>
        <Counts />
      </KalphiteProvider>,
    );
    await act(async () => k.store.entities.set('a', comment('a', 'yes')));
    const version = k.store.version;
    expect(await reports(k)).toEqual(
      (['useQuery', 'useCount', 'useHistory'] as const).map((hook) => ({ version, component: 'Counts', hook, everyChange: false })),
    );
  });

  it('keeps a bounded window of the newest reports', async () => {
    const k = await engine();
    render(
      <KalphiteProvider kalphite={k}>
        <Everything />
      </KalphiteProvider>,
    );
    for (let i = 0; i < RENDER_LOG_LIMIT * 1.5; i++) {
      await act(async () => k.store.entities.set('a', comment('a', `${i}`)));
    }
    const kept = await reports(k);
    expect(kept.length).toBeGreaterThanOrEqual(RENDER_LOG_LIMIT);
    expect(kept.length).toBeLessThanOrEqual(RENDER_LOG_LIMIT * 1.25);
    expect(kept.at(-1)?.version).toBe(k.store.version);
  }, 60_000);

  it('reports nothing in a production build', async () => {
    const k = await engine();
    vi.stubEnv('NODE_ENV', 'production');
    vi.resetModules();
    // A fresh module graph read with NODE_ENV=production, as a bundler would see it.
    const { KalphiteProvider: Provider } = await import('./provider.js');
    const { useKalphiteStore: useStore } = await import('./hooks.js');
    const { renderLog: log } = await import('./render-log.js');
    function Whole() {
      return <p>{useStore().getAll().length} in production</p>;
    }
    render(
      <Provider kalphite={k}>
        <Whole />
      </Provider>,
    );
    await act(async () => k.store.entities.set('a', comment('a', 'hi')));
    expect(screen.getByText('1 in production')).toBeTruthy();
    await Promise.resolve();
    expect(log(k).reports).toEqual([]);
  });
});

describe('componentNameFromStack', () => {
  it('skips the hooks and names the component (V8)', () => {
    const stack = [
      'Error',
      '    at callingComponentName (http://localhost/src/react/component-name.ts:20:12)',
      '    at useRenderReportInDevelopment (http://localhost/src/react/use-render-report.ts:25:3)',
      '    at useSelection (http://localhost/src/react/hooks.ts:40:3)',
      '    at Object.useComments [as useComments] (http://localhost/src/app/comments.ts:3:9)',
      '    at CommentList (http://localhost/src/app/list.tsx:8:3)',
      '    at renderWithHooks (http://localhost/node_modules/react-dom.js:100:1)',
    ].join('\n');
    expect(componentNameFromStack(stack)).toBe('CommentList');
  });

  it('reads Firefox and Safari frames', () => {
    expect(componentNameFromStack('useEntity@http://localhost/hooks.js:1:1\nReviewPane@http://localhost/pane.js:2:2\nrenderWithHooks@react-dom.js:3:3')).toBe('ReviewPane');
  });

  it('is Anonymous for a component without a name, and for no stack', () => {
    expect(componentNameFromStack('Error\n    at useEntity (http://x/hooks.js:1:1)\n    at http://x/app.js:2:2\n    at renderWithHooks (http://x/react-dom.js:3:3)')).toBe('Anonymous');
    expect(componentNameFromStack(undefined)).toBe('Anonymous');
  });
});
