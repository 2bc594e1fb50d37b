import { useId, useState } from 'react';

export interface CommentFormProps {
  readonly label: string;
  readonly initial?: string;
  readonly submitLabel?: string;
  /** Why nothing can be written here (a read-only space): the form is disabled and says so. */
  readonly disabledReason?: string | null;
  /** Focus the text box when the form appears (default true: it opens on a click). */
  readonly autoFocus?: boolean;
  /** Returning false keeps the text (the write failed), so nothing typed is lost. */
  readonly onSubmit: (message: string) => boolean | void;
  readonly onCancel?: () => void;
}

/** A labelled textarea; Ctrl/⌘+Enter submits, Escape cancels. Empty messages are not sent. */
export function CommentForm({ label, initial = '', submitLabel = 'Comment', disabledReason = null, autoFocus = true, onSubmit, onCancel }: CommentFormProps) {
  const [message, setMessage] = useState(initial);
  const id = useId();
  const reasonId = useId();
  const disabled = disabledReason !== null;
  const submit = () => {
    const text = message.trim();
    if (text === '' || disabled) return;
    if (onSubmit(text) !== false) setMessage('');
  };
  return (
    <form
      className="kalphite-form"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className="kalphite-input"
        rows={3}
        value={message}
        disabled={disabled}
        autoFocus={autoFocus && !disabled}
        {...(disabled && { 'aria-describedby': reasonId })}
        onChange={(event) => setMessage(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) submit();
          if (event.key === 'Escape') onCancel?.();
        }}
      />
      {disabled && (
        <p id={reasonId} className="kalphite-muted kalphite-form-reason">
          {disabledReason}
        </p>
      )}
      <div className="kalphite-actions">
        <button type="submit" className="kalphite-button kalphite-button-primary" disabled={disabled || message.trim() === ''}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="kalphite-button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
