import { useCallback, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { HistoryResult } from '../../engine/index.js';
import { useHistory, useKalphiteInstance, useQuery } from '../../react/index.js';
import { readOnlyReason as reasonFor, useGuardedWrite, useSpaceId, useSpaceInfo } from '../space.js';
import { KalphiteStyles } from '../theme/styles.js';
import { useNow } from '../use-now.js';
import { CommentThread } from './comment-thread.js';
import { addComment, isComment, restoreComment, type CommentEntity, type Side } from './comments.js';
import { SplitRow, UnifiedRow, where, type RowSide } from './diff-rows.js';
import { diffFromPatch, diffTexts, PatchError, unchangedFile, type DiffLine, type FileDiff } from './diff/file-diff.js';
import { layoutHunks, splitRows, type DiffSegment } from './diff/hunks.js';
import type { TokenLine } from './highlight/highlighter.js';
import { isLanguage, languageOf, type Language } from './highlight/languages.js';
import { useHighlightedLines } from './highlight/use-highlighted-lines.js';
import { HistoryButton, type HistoryDirection } from './history-button.js';
import { ReviewActionsContext, type ReviewActions } from './review-context.js';
import { useWidth } from '../chart/use-width.js';
import { anchorKey, commentsByAnchor } from './threads.js';

export type DiffViewMode = 'unified' | 'split';

export interface FileViewProps {
  readonly filePath: string;
  /** The file's text (after the change, when there is one). */
  readonly code?: string;
  /** The file's text before the change: the view shows the change from it to `code`. */
  readonly oldCode?: string;
  /** A unified diff of the file (`git diff`); with `code`, the lines between its hunks can be expanded. */
  readonly diff?: string;
  /** The language to colour it in (default: from the file's extension). */
  readonly language?: Language;
  /** How the change is shown first (a toggle switches): both texts interleaved, or side by side. */
  readonly view?: DiffViewMode;
  /** Unchanged lines shown around each change (default 3); the rest fold and expand on request. */
  readonly context?: number;
  /** Written as each new comment's `authorId`. */
  readonly currentUser: string;
  /** The space whose comments are shown and where new ones go (default: the engine's default space). */
  readonly space?: string;
  /** A fixed clock for stories and tests; live otherwise. */
  readonly now?: number;
  /** Names this view's landmark when a page shows several (default "File <path>"). */
  readonly label?: string;
}

/** Below this width (px) two columns of code do not fit: the split view is unavailable. */
const SPLIT_MIN_WIDTH = 640;

interface Composing {
  readonly side: Side;
  readonly line: number;
}

/**
 * A file, or its change, with comment threads: click (or press Enter on) a line number to comment
 * on that line of that side. The change is unified or split (a toggle), coloured by its language
 * (grammars load when first needed), with unchanged lines folded beyond `context`; a line with a
 * thread never folds. n / p move to the next / previous thread, r replies and x resolves in the
 * focused one. In a space the server calls read-only, every control is disabled and a notice says why.
 */
export function FileView({ filePath, code, oldCode, diff, language: languageProp, view = 'unified', context = 3, currentUser, space: spaceProp, now: fixedNow, label }: FileViewProps) {
  const { store } = useKalphiteInstance();
  const space = useSpaceId(spaceProp);
  const info = useSpaceInfo(space);
  const now = useNow(fixedNow);
  const { fileDiff, problem } = useFileDiff(filePath, code, oldCode, diff);
  const language = languageProp !== undefined && isLanguage(languageProp) ? languageProp : languageOf(filePath);
  const tokensOf = useSideTokens(fileDiff, language);
  // A live query of this file's comments in this space: a write elsewhere re-renders nothing here.
  const ofFile = useQuery('comment', { space, where: { filePath } });
  const anchors = useMemo(() => commentsByAnchor(ofFile.filter(isComment), filePath), [ofFile, filePath]);
  const [mode, setMode] = useState<DiffViewMode>(view);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [composing, setComposing] = useState<Composing | null>(null);
  const [deleted, setDeleted] = useState<CommentEntity | null>(null);
  const history = useHistory();
  // What the last undo or redo left alone (someone changed it since), said once.
  const [skipped, setSkipped] = useState<string | null>(null);
  const step = (direction: HistoryDirection) => {
    const result: HistoryResult = direction === 'undo' ? history.undo() : history.redo();
    setDeleted(null);
    setSkipped(result.skipped.length === 0 ? null : skippedText(direction, result));
  };
  const { write, error, dismiss } = useGuardedWrite();
  const readOnlyReason = info.writable === false ? reasonFor(space) : null;
  const readOnly = readOnlyReason !== null;
  const noticeId = useId();
  const sectionRef = useRef<HTMLElement>(null);
  // Refusals heard since this view mounted or the last was dismissed (older ones concern another visit).
  const [refusalsAfter, setRefusalsAfter] = useState(() => Date.now());
  const refusal = info.lastRefusal !== null && info.lastRefusal.at >= refusalsAfter ? info.lastRefusal : null;

  const segments = useMemo(() => layoutHunks(fileDiff, { context, expanded, pinned: (side, line) => anchors.has(anchorKey(side, line)) }), [fileDiff, context, expanded, anchors]);
  const outside = useMemo(() => outsideTheDiff(fileDiff, anchors), [fileDiff, anchors]);
  const submit = useCallback(
    (side: Side, lineNumber: number, message: string) => {
      const written = write(() => addComment(store, { message, lineNumber, filePath, authorId: currentUser, side }, { space }));
      if (written) setComposing(null);
      return written;
    },
    [store, filePath, currentUser, space, write],
  );
  const compose = useCallback((side: Side, line: number | null) => setComposing(line === null ? null : { side, line }), []);
  const actions: ReviewActions = useMemo(() => ({ store, currentUser, now, readOnlyReason, write, onDeleted: setDeleted }), [store, currentUser, now, readOnlyReason, write]);
  const at = (side: Side, line: number | null): RowSide | null =>
    line === null ? null : { side, line, comments: anchors.get(anchorKey(side, line)), composing: composing?.side === side && composing.line === line && !readOnly };
  const callbacks = { now, readOnly, onCompose: compose, onSubmit: submit };

  const unifiedRow = (line: DiffLine) => {
    const primary = line.kind === 'removed' ? at('old', line.oldLine)! : at('new', line.newLine)!;
    // An unchanged line is on both sides: threads on its old side show here too.
    const secondary = fileDiff.changed && line.kind === 'context' ? at('old', line.oldLine) : null;
    const tokens = line.kind === 'removed' ? tokensOf('old', line.oldLine!) : tokensOf('new', line.newLine!);
    return <UnifiedRow key={`${line.oldLine}:${line.newLine}`} line={line} changed={fileDiff.changed} tokens={tokens} primary={primary} secondary={secondary} {...callbacks} />;
  };
  const splitRowsOf = (lines: readonly DiffLine[]) =>
    splitRows(lines).map(({ left, right }) => (
      <SplitRow
        key={`${left?.oldLine}:${right?.newLine}`}
        left={left}
        right={right}
        leftTokens={left ? tokensOf('old', left.oldLine!) : undefined}
        rightTokens={right ? tokensOf('new', right.newLine!) : undefined}
        leftAt={left ? at('old', left.oldLine) : null}
        rightAt={right ? at('new', right.newLine) : null}
        {...callbacks}
      />
    ));
  // Side by side needs room for two columns of code: narrower, the view stays unified.
  const width = useWidth(sectionRef, 1000);
  const roomForSplit = width >= SPLIT_MIN_WIDTH;
  const split = mode === 'split' && fileDiff.changed && roomForSplit;

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    const target = event.target as HTMLElement;
    const typing = target.closest('textarea, input, select, [contenteditable="true"]') !== null;
    // Ctrl/Cmd+Z and Ctrl/Cmd+Shift+Z undo and redo this tab's writes; in a text box they stay the box's own.
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'z' && !typing && !readOnly) {
      event.preventDefault();
      step(event.shiftKey ? 'redo' : 'undo');
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing) return;
    const section = sectionRef.current;
    if (!section) return;
    const threads = [...section.querySelectorAll<HTMLElement>('[data-kalphite-thread]')];
    const current = target.closest<HTMLElement>('[data-kalphite-thread]');
    if (event.key === 'n' || event.key === 'p') {
      if (threads.length === 0) return;
      event.preventDefault();
      const index = current ? threads.indexOf(current) : -1;
      const next = event.key === 'n' ? threads[index + 1] ?? threads[0] : threads[index - 1] ?? threads.at(-1);
      next?.focus();
    } else if ((event.key === 'r' || event.key === 'x') && current) {
      const button = current.querySelector<HTMLButtonElement>(`[data-kalphite-action="${event.key === 'r' ? 'reply' : 'resolve'}"]`);
      if (button && !button.disabled) {
        event.preventDefault();
        button.click();
      }
    }
  };

  return (
    <section
      ref={sectionRef}
      className={`kalphite kalphite-file${split ? ' kalphite-file-split' : ''}`}
      aria-label={label ?? `File ${filePath}`}
      {...(readOnlyReason && { 'aria-describedby': noticeId })}
      aria-keyshortcuts="n p Control+Z Meta+Z Control+Shift+Z Meta+Shift+Z"
      onKeyDown={onKeyDown}
    >
      <KalphiteStyles />
      <header className="kalphite-file-header">
        <span className="kalphite-file-path">{filePath}</span>
        {fileDiff.changed && (
          <span className="kalphite-diff-stat">
            <span className="kalphite-diff-stat-added">+{fileDiff.added}</span> <span className="kalphite-diff-stat-removed">−{fileDiff.removed}</span>
            <span className="kalphite-visually-hidden">
              {' '}
              ({fileDiff.added} added, {fileDiff.removed} removed)
            </span>
          </span>
        )}
        {fileDiff.changed && (
          <span className="kalphite-toggle" role="group" aria-label="Diff view">
            {(['unified', 'split'] as const).map((option) => (
              <button
                key={option}
                type="button"
                className="kalphite-button kalphite-button-small"
                aria-pressed={option === 'split' ? split : !split}
                disabled={option === 'split' && !roomForSplit}
                {...(option === 'split' && !roomForSplit && { title: 'Side by side needs a wider view' })}
                onClick={() => setMode(option)}
              >
                {option === 'unified' ? 'Unified' : 'Split'}
              </button>
            ))}
          </span>
        )}
        <span className="kalphite-toggle" role="group" aria-label="Undo and redo">
          <HistoryButton direction="undo" label={history.undoLabel} disabled={!history.canUndo || readOnly} onStep={() => step('undo')} />
          <HistoryButton direction="redo" label={history.redoLabel} disabled={!history.canRedo || readOnly} onStep={() => step('redo')} />
        </span>
        {anchors.size > 0 && (
          <span className="kalphite-muted kalphite-keys">
            Keys: <kbd>n</kbd>/<kbd>p</kbd> next/previous thread · <kbd>r</kbd> reply · <kbd>x</kbd> resolve
          </span>
        )}
      </header>
      {readOnlyReason && (
        <p id={noticeId} className="kalphite-notice">
          {readOnlyReason}
        </p>
      )}
      {problem && <p className="kalphite-notice kalphite-notice-danger">{problem} Showing the file as it is.</p>}
      {error !== null ? (
        <Alert onDismiss={dismiss}>Not saved: {error}</Alert>
      ) : (
        refusal && <Alert onDismiss={() => setRefusalsAfter(refusal.at + 1)}>The server refused a change: {refusal.reason} Its value was put back.</Alert>
      )}
      {skipped && (
        <div role="status" className="kalphite-notice">
          <span>{skipped}</span>
          <span className="kalphite-actions">
            <button type="button" className="kalphite-button" onClick={() => setSkipped(null)}>
              Dismiss
            </button>
          </span>
        </div>
      )}
      {deleted && (
        <div role="status" className="kalphite-notice">
          <span>
            Deleted a comment on {where(deleted.data.side ?? 'new', deleted.data.lineNumber)}.
          </span>
          <span className="kalphite-actions">
            <button
              type="button"
              className="kalphite-button"
              disabled={readOnly}
              onClick={() => {
                const current = store.getById(deleted.id);
                if (current && isComment(current) && write(() => restoreComment(store, current))) setDeleted(null);
              }}
            >
              Undo
            </button>
            <button type="button" className="kalphite-button" onClick={() => setDeleted(null)}>
              Dismiss
            </button>
          </span>
        </div>
      )}
      <ReviewActionsContext.Provider value={actions}>
        <ol className="kalphite-lines" aria-label={fileDiff.changed ? `Changes to ${filePath}` : `Lines of ${filePath}`}>
          {segments.map((segment) =>
            segment.kind === 'gap' ? (
              <Gap key={`gap-${segment.id}`} segment={segment} onExpand={() => setExpanded((ids) => new Set(ids).add(segment.id))} />
            ) : split ? (
              splitRowsOf(segment.lines)
            ) : (
              segment.lines.map(unifiedRow)
            ),
          )}
        </ol>
        {outside.length > 0 && (
          <section className="kalphite-outside" aria-label="Comments on lines outside this diff">
            <h3 className="kalphite-heading">Comments on lines outside this diff</h3>
            {outside.map(({ side, line, comments: list }) => (
              <CommentThread key={anchorKey(side, line)} comments={list} side={side} lineNumber={line} now={now} />
            ))}
          </section>
        )}
      </ReviewActionsContext.Provider>
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

function Gap({ segment, onExpand }: { readonly segment: Extract<DiffSegment, { kind: 'gap' }>; readonly onExpand: () => void }) {
  const count = segment.unknown || segment.lines.length;
  const lines = `${count} unchanged line${count === 1 ? '' : 's'}`;
  return (
    <li className="kalphite-gap">
      {segment.unknown > 0 ? (
        <span className="kalphite-muted">{lines} not in the diff</span>
      ) : (
        <button type="button" className="kalphite-button kalphite-button-small" onClick={onExpand}>
          Expand {lines}
        </button>
      )}
      {segment.header && <code className="kalphite-gap-header">{segment.header}</code>}
    </li>
  );
}

/** The change to show, from whichever inputs were given; a diff that cannot be read falls back to the file as it is. */
function useFileDiff(filePath: string, code: string | undefined, oldCode: string | undefined, diff: string | undefined): { fileDiff: FileDiff; problem: string | null } {
  return useMemo(() => {
    try {
      if (diff !== undefined) return { fileDiff: diffFromPatch(diff, filePath, code), problem: null };
    } catch (reason) {
      if (!(reason instanceof PatchError)) throw reason;
      return { fileDiff: unchangedFile(code ?? ''), problem: reason.message };
    }
    if (oldCode !== undefined) return { fileDiff: diffTexts(oldCode, code ?? ''), problem: null };
    return { fileDiff: unchangedFile(code ?? ''), problem: null };
  }, [filePath, code, oldCode, diff]);
}

/** Each side's lines highlighted as one text; `tokensOf(side, line)` finds a line's tokens. */
function useSideTokens(fileDiff: FileDiff, language: Language | null): (side: Side, line: number) => TokenLine | undefined {
  const sides = useMemo(() => {
    const old: { numbers: number[]; texts: string[] } = { numbers: [], texts: [] };
    const next: { numbers: number[]; texts: string[] } = { numbers: [], texts: [] };
    for (const line of fileDiff.lines) {
      if (line.oldLine !== null) {
        old.numbers.push(line.oldLine);
        old.texts.push(line.text);
      }
      if (line.newLine !== null) {
        next.numbers.push(line.newLine);
        next.texts.push(line.text);
      }
    }
    return { old, next };
  }, [fileDiff]);
  const oldTokens = useHighlightedLines(sides.old.texts, fileDiff.changed ? language : null);
  const newTokens = useHighlightedLines(sides.next.texts, language);
  return useMemo(() => {
    const index = (numbers: readonly number[], tokens: readonly TokenLine[] | null) => {
      const map = new Map<number, TokenLine>();
      if (tokens) numbers.forEach((n, i) => tokens[i] && map.set(n, tokens[i]));
      return map;
    };
    const oldMap = index(sides.old.numbers, oldTokens);
    const newMap = index(sides.next.numbers, newTokens);
    return (side, line) => (side === 'old' ? oldMap : newMap).get(line);
  }, [sides, oldTokens, newTokens]);
}

/** Threads whose line is not in what the view shows (a line past the end, or left out of a unified diff). */
function outsideTheDiff(fileDiff: FileDiff, anchors: ReadonlyMap<string, CommentEntity[]>): { side: Side; line: number; comments: CommentEntity[] }[] {
  const present = new Set<string>();
  for (const line of fileDiff.lines) {
    if (line.oldLine !== null && fileDiff.changed) present.add(anchorKey('old', line.oldLine));
    if (line.newLine !== null) present.add(anchorKey('new', line.newLine));
  }
  const out: { side: Side; line: number; comments: CommentEntity[] }[] = [];
  for (const [key, comments] of anchors) {
    if (present.has(key)) continue;
    const [side, line] = key.split(':') as [Side, string];
    out.push({ side, line: Number(line), comments });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** What an undo or redo left alone, in a sentence: a field someone changed since is never overwritten. */
function skippedText(direction: HistoryDirection, { label, skipped }: HistoryResult): string {
  const what = label ? `${direction === 'undo' ? 'Undid' : 'Redid'} “${label.toLowerCase()}”` : direction === 'undo' ? 'Undid the last change' : 'Redid the change';
  const changed = skipped.filter((s) => s.reason === 'changed').length;
  const gone = skipped.filter((s) => s.reason === 'deleted').length;
  const parts = [changed > 0 && `${changed} ${changed === 1 ? 'change' : 'changes'} someone made since`, gone > 0 && `${gone} deleted ${gone === 1 ? 'entity' : 'entities'}`].filter(Boolean);
  return `${what}, but left alone ${parts.length > 0 ? parts.join(' and ') : `${skipped.length} ${skipped.length === 1 ? 'change' : 'changes'} it could not write`}.`;
}
