import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createKalphite, type Kalphite } from '../engine/index.js';
import { freshPGlite } from '../test-support/pglite.js';
import { KalphiteProvider } from './provider.js';
import { useHistory } from './use-history.js';

const engines: Kalphite[] = [];
afterEach(async () => {
  cleanup();
  await Promise.all(engines.splice(0).map((k) => k.close()));
});

function UndoButton() {
  const { canUndo, undoLabel, undo, canRedo, redo } = useHistory();
  return (
    <>
      <button type="button" disabled={!canUndo} onClick={undo}>
        {undoLabel ? `Undo ${undoLabel.toLowerCase()}` : 'Undo'}
      </button>
      <button type="button" disabled={!canRedo} onClick={redo}>
        Redo
      </button>
    </>
  );
}

describe('useHistory', () => {
  it('names the step an undo takes back and follows undo and redo', async () => {
    const k = await createKalphite({ pglite: await freshPGlite(), flushDelayMs: 60_000 });
    engines.push(k);
    render(
      <KalphiteProvider kalphite={k}>
        <UndoButton />
      </KalphiteProvider>,
    );
    expect((screen.getByRole('button', { name: 'Undo' }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => {
      k.store.batch(() => k.store.entities.set('c1', { id: 'c1', type: 'comment', data: { message: 'hi', deleted: false } }), { tag: 'Add comment' });
    });
    await act(async () => {
      k.store.batch(() => k.store.entities.set('c1', { id: 'c1', type: 'comment', data: { message: 'hi', deleted: true } }), { tag: 'Delete comment' });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Undo delete comment' }));
    expect(k.store.getById('c1')?.data).toEqual({ message: 'hi', deleted: false });
    expect(screen.getByRole('button', { name: 'Undo add comment' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Redo' }) as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Redo' }));
    expect(k.store.getById('c1')?.data).toEqual({ message: 'hi', deleted: true });
  });
});
