import { memo, type ReactNode } from 'react';
import { CodeLine } from './code-line.js';
import { CommentForm } from './comment-form.js';
import { CommentThread } from './comment-thread.js';
import type { CommentEntity, Side } from './comments.js';
import type { DiffLine } from './diff/file-diff.js';
import type { TokenLine } from './highlight/highlighter.js';
import { sameEntities } from './same-entities.js';
import { visibleCount } from './threads.js';

/** One side of a row: where a comment on it is anchored, what is there already, and whether one is being written. */
export interface RowSide {
  readonly side: Side;
  readonly line: number;
  readonly comments: readonly CommentEntity[] | undefined;
  readonly composing: boolean;
}

interface RowCallbacks {
  readonly now: number;
  readonly readOnly: boolean;
  readonly onCompose: (side: Side, line: number | null) => void;
  readonly onSubmit: (side: Side, line: number, message: string) => boolean;
}

export const where = (side: Side, line: number) => `${side === 'old' ? 'old line' : 'line'} ${line}`;

function NumberButton({ at, readOnly, onCompose }: { readonly at: RowSide; readonly readOnly: boolean; readonly onCompose: RowCallbacks['onCompose'] }) {
  const count = visibleCount(at.comments);
  const name = where(at.side, at.line);
  return (
    <span className="kalphite-line-number">
      {count > 0 && (
        <span className="kalphite-gutter-count" aria-hidden="true">
          {count}
        </span>
      )}
      <button
        type="button"
        className="kalphite-line-number-button"
        aria-label={`Comment on ${name}${count > 0 ? ` (${count} comment${count === 1 ? '' : 's'})` : ''}`}
        aria-expanded={at.composing}
        disabled={readOnly}
        onClick={() => onCompose(at.side, at.composing ? null : at.line)}
      >
        {at.line}
      </button>
    </span>
  );
}

function Mark({ kind }: { readonly kind: DiffLine['kind'] | null }) {
  if (kind === 'context') return <span className="kalphite-diff-mark" />;
  return (
    <span className="kalphite-diff-mark">
      <span aria-hidden="true">{kind === 'added' ? '+' : kind === 'removed' ? '−' : ''}</span>
      {kind && <span className="kalphite-visually-hidden">{kind === 'added' ? 'added' : 'removed'}</span>}
    </span>
  );
}

/** The threads and the comment form at one side of a row. */
function Extras({ at, callbacks }: { readonly at: RowSide; readonly callbacks: RowCallbacks }) {
  const { now, readOnly, onCompose, onSubmit } = callbacks;
  return (
    <>
      {at.comments && <CommentThread comments={at.comments} lineNumber={at.line} side={at.side} now={now} />}
      {at.composing && !readOnly && (
        <CommentForm label={`Your comment on ${where(at.side, at.line)}`} onSubmit={(message) => onSubmit(at.side, at.line, message)} onCancel={() => onCompose(at.side, null)} />
      )}
    </>
  );
}

const hasExtras = (at: RowSide | null) => at !== null && (visibleCount(at.comments) > 0 || (at.comments?.length ?? 0) > 0 || at.composing);

export interface UnifiedRowProps extends RowCallbacks {
  readonly line: DiffLine;
  /** False for a file shown as it is: one number column. */
  readonly changed: boolean;
  readonly tokens: TokenLine | undefined;
  /** The side whose number takes a comment (the new side, or the old for a removed line), and the other side's anchor on an unchanged line. */
  readonly primary: RowSide;
  readonly secondary: RowSide | null;
}

/** A line of the unified view: old and new numbers, the change mark, the code, then its threads. */
export const UnifiedRow = memo(function UnifiedRow(props: UnifiedRowProps) {
  const { line, changed, tokens, primary, secondary, readOnly, onCompose } = props;
  const commented = visibleCount(primary.comments) + visibleCount(secondary?.comments) > 0;
  return (
    <li className={`kalphite-line kalphite-line-${line.kind}${changed ? '' : ' kalphite-line-plain'}${commented ? ' kalphite-line-has-comments' : ''}`}>
      {changed &&
        (primary.side === 'old' ? (
          <NumberButton at={primary} readOnly={readOnly} onCompose={onCompose} />
        ) : (
          <span className="kalphite-line-number kalphite-line-number-static" aria-hidden="true">
            {line.oldLine ?? ''}
          </span>
        ))}
      {primary.side === 'new' ? <NumberButton at={primary} readOnly={readOnly} onCompose={onCompose} /> : <span className="kalphite-line-number kalphite-line-number-static" aria-hidden="true" />}
      {changed && <Mark kind={line.kind} />}
      <code className="kalphite-line-code">
        <CodeLine text={line.text} tokens={tokens} />
      </code>
      {(hasExtras(primary) || hasExtras(secondary)) && (
        <div className="kalphite-line-extra">
          {secondary && <Extras at={secondary} callbacks={props} />}
          <Extras at={primary} callbacks={props} />
        </div>
      )}
    </li>
  );
}, sameUnified);

export interface SplitRowProps extends RowCallbacks {
  readonly left: DiffLine | null;
  readonly right: DiffLine | null;
  readonly leftTokens: TokenLine | undefined;
  readonly rightTokens: TokenLine | undefined;
  readonly leftAt: RowSide | null;
  readonly rightAt: RowSide | null;
}

/** A row of the split view: the old line left, the new line right, each with its own threads below it. */
export const SplitRow = memo(function SplitRow(props: SplitRowProps) {
  const { left, right, leftTokens, rightTokens, leftAt, rightAt, readOnly, onCompose } = props;
  const commented = visibleCount(leftAt?.comments) + visibleCount(rightAt?.comments) > 0;
  const half = (line: DiffLine | null, at: RowSide | null, tokens: TokenLine | undefined): ReactNode =>
    line && at ? (
      <>
        <NumberButton at={at} readOnly={readOnly} onCompose={onCompose} />
        <Mark kind={line.kind} />
        <code className={`kalphite-line-code kalphite-split-${line.kind}`}>
          <CodeLine text={line.text} tokens={tokens} />
        </code>
      </>
    ) : (
      <span className="kalphite-split-empty" />
    );
  return (
    <li className={`kalphite-line kalphite-line-split${commented ? ' kalphite-line-has-comments' : ''}`}>
      {half(left, leftAt, leftTokens)}
      {half(right, rightAt, rightTokens)}
      {(hasExtras(leftAt) || hasExtras(rightAt)) && (
        <div className="kalphite-line-extra kalphite-split-extra">
          <div>{leftAt && <Extras at={leftAt} callbacks={props} />}</div>
          <div>{rightAt && <Extras at={rightAt} callbacks={props} />}</div>
        </div>
      )}
    </li>
  );
}, sameSplit);

function sameSide(a: RowSide | null, b: RowSide | null): boolean {
  if (a === null || b === null) return a === b;
  return a.side === b.side && a.line === b.line && a.composing === b.composing && sameEntities(a.comments, b.comments);
}

function sameCallbacks(a: RowCallbacks, b: RowCallbacks): boolean {
  return a.now === b.now && a.readOnly === b.readOnly && a.onCompose === b.onCompose && a.onSubmit === b.onSubmit;
}

function sameUnified(a: UnifiedRowProps, b: UnifiedRowProps): boolean {
  return a.line === b.line && a.changed === b.changed && a.tokens === b.tokens && sameSide(a.primary, b.primary) && sameSide(a.secondary, b.secondary) && sameCallbacks(a, b);
}

function sameSplit(a: SplitRowProps, b: SplitRowProps): boolean {
  return (
    a.left === b.left &&
    a.right === b.right &&
    a.leftTokens === b.leftTokens &&
    a.rightTokens === b.rightTokens &&
    sameSide(a.leftAt, b.leftAt) &&
    sameSide(a.rightAt, b.rightAt) &&
    sameCallbacks(a, b)
  );
}
