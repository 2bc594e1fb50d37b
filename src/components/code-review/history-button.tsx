export type HistoryDirection = 'undo' | 'redo';

const VERB: Record<HistoryDirection, string> = { undo: 'Undo', redo: 'Redo' };
const KEYS: Record<HistoryDirection, string> = { undo: 'Control+Z Meta+Z', redo: 'Control+Shift+Z Meta+Shift+Z' };

export interface HistoryButtonProps {
  readonly direction: HistoryDirection;
  /** The step's label (its batch's tag), named in the button: "Undo delete comment". */
  readonly label: string | null;
  readonly disabled: boolean;
  readonly onStep: () => void;
}

/** An undo or redo button naming the step it takes, with its keyboard shortcut announced. */
export function HistoryButton({ direction, label, disabled, onStep }: HistoryButtonProps) {
  return (
    <button type="button" className="kalphite-button kalphite-button-small" disabled={disabled} aria-keyshortcuts={KEYS[direction]} onClick={onStep}>
      {label ? `${VERB[direction]} ${label.toLowerCase()}` : VERB[direction]}
    </button>
  );
}
