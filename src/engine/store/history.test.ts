import { describe, expect, it } from 'vitest';
import type { Entity } from './entity.js';
import { UndoHistory, type HistoryResult } from './history.js';
import { MemoryStore } from './store.js';

const comment = (data: Record<string, unknown>, id = 'c1'): Entity => ({ id, type: 'comment', data: data as Entity['data'], space: 'default' });

function setup(limit = 100) {
  const store = new MemoryStore();
  const skipped: HistoryResult[] = [];
  const history = new UndoHistory(store, { limit, onSkipped: (_direction, result) => skipped.push(result) });
  return { store, history, skipped };
}

describe('undo and redo', () => {
  it('one step per batch, labelled by its tag; undo and redo restore exactly', () => {
    const { store, history } = setup();
    store.batch(() => store.set('c1', comment({ text: 'hi', resolved: false })), { tag: 'Add comment' });
    store.batch(() => store.set('c1', comment({ text: 'hi', resolved: true })), { tag: 'Resolve comment' });
    expect([history.canUndo, history.undoLabel, history.canRedo]).toEqual([true, 'Resolve comment', false]);

    expect(history.undo()).toEqual({ done: true, label: 'Resolve comment', skipped: [] });
    expect(store.getById('c1')?.data).toEqual({ text: 'hi', resolved: false });
    expect(history.redoLabel).toBe('Resolve comment');
    expect(history.redo()).toEqual({ done: true, label: 'Resolve comment', skipped: [] });
    expect(store.getById('c1')?.data).toEqual({ text: 'hi', resolved: true });
  });

  it('loose writes in one tick are one step; undo of a create deletes it', async () => {
    const { store, history } = setup();
    store.set('c1', comment({ text: 'a' }));
    store.set('c2', comment({ text: 'b' }, 'c2'));
    await Promise.resolve();
    expect(history.undoLabel).toBeNull();
    history.undo();
    expect(store.size).toBe(0);
    expect(history.canUndo).toBe(false);
  });

  it('a field someone else changed since is left alone and reported; the other fields are undone', () => {
    const { store, history, skipped } = setup();
    store.set('c1', comment({ text: 'hi', resolved: false }));
    store.notifyNow();
    store.batch(() => store.set('c1', comment({ text: 'edited', resolved: true })), { tag: 'Edit' });
    store.applyExternal([['c1', comment({ text: 'theirs', resolved: true })]], 'server');

    const result = history.undo();
    expect(result.skipped).toEqual([{ id: 'c1', field: 'text', reason: 'changed' }]);
    expect(skipped).toEqual([result]);
    expect(store.getById('c1')?.data).toEqual({ text: 'theirs', resolved: false });
  });

  it('tombstones stay final: undoing a hard delete, or redoing a create after its undo, is skipped', () => {
    const { store, history } = setup();
    store.batch(() => store.set('c1', comment({ text: 'hi' })), { tag: 'Add' });
    store.batch(() => store.delete('c1'), { tag: 'Delete' });
    expect(history.undo()).toMatchObject({ label: 'Delete', skipped: [{ id: 'c1', field: null, reason: 'deleted' }] });
    expect(store.getById('c1')).toBeNull();

    store.batch(() => store.set('c2', comment({ text: 'x' }, 'c2')), { tag: 'Add c2' });
    history.undo();
    expect(history.redo()).toMatchObject({ label: 'Add c2', skipped: [{ id: 'c2', field: null, reason: 'deleted' }] });
    expect(store.getById('c2')).toBeNull();
  });

  it('a soft delete (a field) undoes like any edit', () => {
    const { store, history } = setup();
    store.set('c1', comment({ text: 'hi' }));
    store.notifyNow();
    store.batch(() => store.set('c1', comment({ text: 'hi', deleted: true })), { tag: 'Delete comment' });
    expect(history.undo()).toEqual({ done: true, label: 'Delete comment', skipped: [] });
    expect(store.getById('c1')?.data).toEqual({ text: 'hi' });
  });

  it('a new write clears redo; the number of steps is bounded; server writes are not steps', () => {
    const { store, history } = setup(2);
    for (const text of ['1', '2', '3']) store.batch(() => store.set('c1', comment({ text })));
    store.applyExternal([['c9', comment({ text: 'server' }, 'c9')]], 'server');
    history.undo();
    history.undo();
    expect(history.canUndo).toBe(false);
    expect(store.getById('c1')?.data).toEqual({ text: '1' });
    store.batch(() => store.set('c1', comment({ text: 'new' })));
    expect(history.canRedo).toBe(false);
  });

  it('undo of writes its own writes do not record as steps, and an empty history does nothing', () => {
    const { store, history } = setup();
    expect(history.undo()).toEqual({ done: false, label: null, skipped: [] });
    store.batch(() => store.set('c1', comment({ text: 'a' })));
    let heard = 0;
    history.subscribe(() => heard++);
    history.undo();
    expect([history.canUndo, history.canRedo, heard]).toEqual([false, true, 1]);
  });
});
