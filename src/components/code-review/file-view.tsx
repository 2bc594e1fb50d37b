import { memo, useCallback, useId, useMemo, useState, type ReactNode } from 'react';
import { useKalphiteInstance } from '../../react/index.js';
import { readOnlyReason as reasonFor, useGuardedWrite, useSpaceEntities, useSpaceId, useSpaceInfo } from '../space.js';
import { KalphiteStyles } from '../theme/styles.js';
import { useNow } from '../use-now.js';
import { CommentForm } from './comment-form.js';
import { CommentThread } from './comment-thread.js';
import { addComment, isComment, sameEntities, type CommentEntity } from './model.js';

export interface FileViewProps {
  readonly filePath: string;
  readonly code: string;
  /** Written as each new comment's `authorId`. */
  readonly currentUser: string;
  /** The space whose comments are shown and where new ones go (default: the engine's default space). */
  readonly space?: string;
  /** A fixed clock for stories and tests; live otherwise. */
  readonly now?: number;
  /** Names this view's landmark when a page shows several (default "File <path>"). */
  readonly label?: string;
}

/**
 * A file with line numbers: click (or press Enter on) a line number to comment on that line. In a
 * space the server calls read-only, every control is disabled and a notice says why.
 */
export function FileView({ filePath, code, currentUser, space: spaceProp, now: fixedNow, label }: FileViewProps) {
  const { store } = useKalphiteInstance();
  const space = useSpaceId(spaceProp);
  const info = useSpaceInfo(space);
  const now = useNow(fixedNow);
  const lines = useMemo(() => code.split('\n'), [code]);
  const comments = useSpaceEntities('comment', space, isComment);
  const byLine = useMemo(() => {
    const map = new Map<number, CommentEntity[]>();
    for (const entity of comments) {
      if (entity.data.filePath !== filePath) continue;
      const list = map.get(entity.data.lineNumber);
      if (list) list.push(entity);
      else map.set(entity.data.lineNumber, [entity]);
    }
    return map;
  }, [comments, filePath]);
  const [composing, setComposing] = useState<number | null>(null);
  const { write, error, dismiss } = useGuardedWrite();
  const readOnlyReason = info.writable === false ? reasonFor(space) : null;
  const noticeId = useId();
  // Refusals heard since this view mounted or the last was dismissed (older ones concern another visit).
  const [refusalsAfter, setRefusalsAfter] = useState(() => Date.now());
  const refusal = info.lastRefusal !== null && info.lastRefusal.at >= refusalsAfter ? info.lastRefusal : null;
  const submit = useCallback(
    (lineNumber: number, message: string) => {
      const written = write(() => addComment(store, { message, lineNumber, filePath, authorId: currentUser }, { space }));
      if (written) setComposing(null);
      return written;
    },
    [store, filePath, currentUser, space, write],
  );

  return (
    <section className="kalphite kalphite-file" aria-label={label ?? `File ${filePath}`} {...(readOnlyReason && { 'aria-describedby': noticeId })}>
      <KalphiteStyles />
      <header className="kalphite-file-header">{filePath}</header>
      {readOnlyReason && (
        <p id={noticeId} className="kalphite-notice">
          {readOnlyReason}
        </p>
      )}
      {error !== null ? (
        <Alert onDismiss={dismiss}>Not saved: {error}</Alert>
      ) : (
        refusal && <Alert onDismiss={() => setRefusalsAfter(refusal.at + 1)}>The server refused a change: {refusal.reason} Its value was put back.</Alert>
      )}
      <ol className="kalphite-lines">
        {lines.map((text, index) => (
          <Line
            key={index}
            lineNumber={index + 1}
            text={text}
            comments={byLine.get(index + 1)}
            composing={composing === index + 1 && readOnlyReason === null}
            now={now}
            readOnlyReason={readOnlyReason}
            write={write}
            onCompose={setComposing}
            onSubmit={submit}
          />
        ))}
      </ol>
    </section>
  );
}

function Alert({ children, onDismiss }: { readonly children: ReactNode; readonly onDismiss: () => void }) {
  return (
    <div role="alert" className="kalphite-notice kalphite-notice-danger">
      <span>{children}</span>
      <button type="button" className="kalphite-button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

interface LineProps {
  readonly lineNumber: number;
  readonly text: string;
  readonly comments: readonly CommentEntity[] | undefined;
  readonly composing: boolean;
  readonly now: number;
  readonly readOnlyReason: string | null;
  readonly write: (fn: () => void) => boolean;
  readonly onCompose: (lineNumber: number | null) => void;
  readonly onSubmit: (lineNumber: number, message: string) => boolean;
}

const Line = memo(function Line({ lineNumber, text, comments, composing, now, readOnlyReason, write, onCompose, onSubmit }: LineProps) {
  const count = comments?.length ?? 0;
  return (
    <li className={`kalphite-line${count > 0 ? ' kalphite-line-has-comments' : ''}`}>
      <button
        type="button"
        className="kalphite-line-number"
        aria-label={`Comment on line ${lineNumber}${count > 0 ? ` (${count} comment${count === 1 ? '' : 's'})` : ''}`}
        aria-expanded={composing}
        disabled={readOnlyReason !== null}
        onClick={() => onCompose(composing ? null : lineNumber)}
      >
        {lineNumber}
      </button>
      <code className="kalphite-line-code">{text || ' '}</code>
      {(count > 0 || composing) && (
        <div className="kalphite-line-extra">
          {comments && count > 0 && <CommentThread comments={comments} lineNumber={lineNumber} now={now} readOnlyReason={readOnlyReason} write={write} />}
          {composing && <CommentForm label={`Your comment on line ${lineNumber}`} onSubmit={(message) => onSubmit(lineNumber, message)} onCancel={() => onCompose(null)} />}
        </div>
      )}
    </li>
  );
}, sameLine);

function sameLine(a: LineProps, b: LineProps): boolean {
  return (
    a.lineNumber === b.lineNumber &&
    a.text === b.text &&
    a.composing === b.composing &&
    a.now === b.now &&
    a.readOnlyReason === b.readOnlyReason &&
    a.write === b.write &&
    a.onSubmit === b.onSubmit &&
    a.onCompose === b.onCompose &&
    sameEntities(a.comments, b.comments)
  );
}
