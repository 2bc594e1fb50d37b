import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKalphite, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { KalphiteProvider } from './provider.js';
import { useSpace } from './use-space.js';

const engines: Kalphite[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(engines.splice(0).map((k) => k.close()));
});

async function engine(): Promise<Kalphite> {
  const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 0 });
  engines.push(k);
  return k;
}

function Review({ id }: { readonly id: string }) {
  const { ready, writable, error } = useSpace(id, { graceMs: 20 });
  return <p>{error ? `error ${error.code}` : ready ? `ready ${id} ${writable === false ? 'read-only' : 'writable'}` : `loading ${id}`}</p>;
}

describe('useSpace', () => {
  it('opens a space while mounted, shared by its users, and closes it a grace period after the last unmounts', async () => {
    const k = await engine();
    const view = render(
      <KalphiteProvider kalphite={k}>
        <Review id="review:7" />
        <Review id="review:7" />
      </KalphiteProvider>,
    );
    await vi.waitFor(() => expect(screen.getAllByText('ready review:7 writable')).toHaveLength(2));
    await act(async () => {
      k.store.entities.set('c', { id: 'c', type: 'comment', data: {}, space: 'review:7' });
    });
    view.rerender(
      <KalphiteProvider kalphite={k}>
        <Review id="review:7" />
      </KalphiteProvider>,
    );
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(k.spaces.get('review:7').open).toBe(true);
    view.rerender(<KalphiteProvider kalphite={k}>{null}</KalphiteProvider>);
    await vi.waitFor(() => expect(k.spaces.get('review:7').open).toBe(false));
    expect(k.store.getById('c')).toBeNull();
  });

  it('leaves open a space that was open before it mounted', async () => {
    const k = await engine();
    const view = render(
      <KalphiteProvider kalphite={k}>
        <Review id="default" />
      </KalphiteProvider>,
    );
    expect(screen.getByText('ready default writable')).toBeTruthy();
    view.unmount();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(k.spaces.get('default').open).toBe(true);
  });

  it('shows why a space cannot be opened', async () => {
    const k = await engine();
    render(
      <KalphiteProvider kalphite={k}>
        <Review id="not a space" />
      </KalphiteProvider>,
    );
    await vi.waitFor(() => expect(screen.getByText('error invalid-space')).toBeTruthy());
  });
});
