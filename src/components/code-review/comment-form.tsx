import { useId, useState } from 'react';

export interface CommentFormProps {
  readonly label: string;
  readonly initial?: string;
  readonly submitLabel?: string;
  /** Why nothing can be written here (a read-only space): the form is disabled and says so. */
  readonly disabledReason?: string | null;
  /** Focus the text box when the form appears (default true: it opens on a click). */
  readonly autoFocus?: boolean;
  /** Says under the box that Markdown is understood (default true). */
  readonly markdownHint?: boolean;
  /** Allow sending nothing (a verdict's summary is optional). */
  readonly allowEmpty?: boolean;
  /** Returning false keeps the text (the write failed), so nothing typed is lost. */
  readonly onSubmit: (message: string) => boolean | void;
  readonly onCancel?: () => void;
}

/** A labelled textarea; Ctrl/⌘+Enter submits, Escape cancels. Empty messages are not sent. */
export function CommentForm({ label, initial = '', submitLabel = 'Comment', disabledReason = null, autoFocus = true, markdownHint = true, allowEmpty = false, onSubmit, onCancel }: CommentFormProps) {
  const [message, setMessage] = useState(initial);
  const id = useId();
  const reasonId = useId();
  const hintId = useId();
  const disabled = disabledReason !== null;
  const empty = message.trim() === '' && !allowEmpty;
  const submit = () => {
    const text = message.trim();
    if (empty || disabled) return;
    if (onSubmit(text) !== false) setMessage('');
  };
  const describedBy = [disabled && reasonId, markdownHint && !disabled && hintId].filter(Boolean).join(' ');
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
        {...(describedBy && { 'aria-describedby': describedBy })}
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
        <button type="submit" className="kalphite-button kalphite-button-primary" disabled={disabled || empty}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="kalphite-button" onClick={onCancel}>
            Cancel
          </button>
        )}
        {markdownHint && !disabled && (
          <span id={hintId} className="kalphite-muted kalphite-form-hint">
            Markdown · Ctrl+Enter sends
          </span>
        )}
      </div>
    </form>
  );
}
