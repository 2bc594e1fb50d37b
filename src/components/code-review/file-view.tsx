import { memo, useCallback, useMemo, useState } from 'react';
import { useEntities, useKalphiteInstance } from '../../react/index.js';
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
  /** A fixed clock for stories and tests; live otherwise. */
  readonly now?: number;
  /** Names this view's landmark when a page shows several (default "File <path>"). */
  readonly label?: string;
}

/** A file with line numbers: click (or press Enter on) a line number to comment on that line. */
export function FileView({ filePath, code, currentUser, now: fixedNow, label }: FileViewProps) {
  const { store } = useKalphiteInstance();
  const now = useNow(fixedNow);
  const lines = useMemo(() => code.split('\n'), [code]);
  const comments = useEntities('comment');
  const byLine = useMemo(() => {
    const map = new Map<number, CommentEntity[]>();
    for (const entity of comments) {
      if (!isComment(entity) || entity.data.filePath !== filePath) continue;
      const list = map.get(entity.data.lineNumber);
      if (list) list.push(entity);
      else map.set(entity.data.lineNumber, [entity]);
    }
    return map;
  }, [comments, filePath]);
  const [composing, setComposing] = useState<number | null>(null);
  const submit = useCallback(
    (lineNumber: number, message: string) => {
      addComment(store, { message, lineNumber, filePath, authorId: currentUser });
      setComposing(null);
    },
    [store, filePath, currentUser],
  );

  return (
    <section className="kalphite kalphite-file" aria-label={label ?? `File ${filePath}`}>
      <KalphiteStyles />
      <header className="kalphite-file-header">{filePath}</header>
      <ol className="kalphite-lines">
        {lines.map((text, index) => (
          <Line
            key={index}
            lineNumber={index + 1}
            text={text}
            comments={byLine.get(index + 1)}
            composing={composing === index + 1}
            now={now}
            onCompose={setComposing}
            onSubmit={submit}
          />
        ))}
      </ol>
    </section>
  );
}

interface LineProps {
  readonly lineNumber: number;
  readonly text: string;
  readonly comments: readonly CommentEntity[] | undefined;
  readonly composing: boolean;
  readonly now: number;
  readonly onCompose: (lineNumber: number | null) => void;
  readonly onSubmit: (lineNumber: number, message: string) => void;
}

const Line = memo(function Line({ lineNumber, text, comments, composing, now, onCompose, onSubmit }: LineProps) {
  const count = comments?.length ?? 0;
  return (
    <li className={`kalphite-line${count > 0 ? ' kalphite-line-has-comments' : ''}`}>
      <button
        type="button"
        className="kalphite-line-number"
        aria-label={`Comment on line ${lineNumber}${count > 0 ? ` (${count} comment${count === 1 ? '' : 's'})` : ''}`}
        aria-expanded={composing}
        onClick={() => onCompose(composing ? null : lineNumber)}
      >
        {lineNumber}
      </button>
      <code className="kalphite-line-code">{text || ' '}</code>
      {(count > 0 || composing) && (
        <div className="kalphite-line-extra">
          {comments && count > 0 && <CommentThread comments={comments} lineNumber={lineNumber} now={now} />}
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
    a.onSubmit === b.onSubmit &&
    a.onCompose === b.onCompose &&
    sameEntities(a.comments, b.comments)
  );
}
