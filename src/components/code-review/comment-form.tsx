import { useId, useState } from 'react';

export interface CommentFormProps {
  readonly label: string;
  readonly initial?: string;
  readonly submitLabel?: string;
  readonly onSubmit: (message: string) => void;
  readonly onCancel?: () => void;
}

/** A labelled textarea; Ctrl/⌘+Enter submits, Escape cancels. Empty messages are not sent. */
export function CommentForm({ label, initial = '', submitLabel = 'Comment', onSubmit, onCancel }: CommentFormProps) {
  const [message, setMessage] = useState(initial);
  const id = useId();
  const submit = () => {
    const text = message.trim();
    if (text === '') return;
    onSubmit(text);
    setMessage('');
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
        autoFocus
        onChange={(event) => setMessage(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) submit();
          if (event.key === 'Escape') onCancel?.();
        }}
      />
      <div className="kalphite-actions">
        <button type="submit" className="kalphite-button kalphite-button-primary" disabled={message.trim() === ''}>
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
