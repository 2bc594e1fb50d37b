import { useMemo, useSyncExternalStore } from 'react';
import type { HistoryResult } from '../engine/index.js';
import { useKalphiteInstance } from './hooks.js';
import { useRenderReport } from './use-render-report.js';

/** What `useHistory` shows, and the two things it does. */
export interface HistoryState {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** The label of the step `undo()` would take back: its batch's tag ("Delete comment"), or null. */
  readonly undoLabel: string | null;
  readonly redoLabel: string | null;
  readonly undo: () => HistoryResult;
  readonly redo: () => HistoryResult;
}

/** This tab's undo and redo (`kalphite.history`), re-rendering when the steps change. */
export function useHistory(): HistoryState {
  const kalphite = useKalphiteInstance();
  const { history } = kalphite;
  // One string for the snapshot, so an unchanged history is the same value and React skips the render.
  const key = useSyncExternalStore(history.subscribe, () => snapshotKey(history), () => snapshotKey(history));
  useRenderReport(kalphite, 'useHistory', key);
  // `key` changes exactly when what is read here does.
  return useMemo(
    () => ({ canUndo: history.canUndo, canRedo: history.canRedo, undoLabel: history.undoLabel, redoLabel: history.redoLabel, undo: history.undo, redo: history.redo }),
    [history, key],
  );
}

const snapshotKey = (history: { canUndo: boolean; canRedo: boolean; undoLabel: string | null; redoLabel: string | null }): string =>
  `${history.canUndo ? 1 : 0}${history.canRedo ? 1 : 0}${JSON.stringify([history.undoLabel, history.redoLabel])}`;
