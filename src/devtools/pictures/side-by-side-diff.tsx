import { useState, type ReactNode } from 'react';
import type { DiffLine, DiffRow, EntityDiff } from '../diff.js';

export interface SideBySideDiffProps {
  readonly diff: EntityDiff;
  /** `split`: before on the left, after on the right; `unified`: one column (a narrow panel). */
  readonly layout: 'split' | 'unified';
  readonly label: string;
}

/**
 * A change's before and after as a table: removed lines and words struck on the left, added ones on
 * the right, unchanged runs folded (a button shows them). Removed and added text is `<del>`/`<ins>`,
 * so it reads as such without colour.
 */
export function SideBySideDiff({ diff, layout, label }: SideBySideDiffProps) {
  const split = layout === 'split';
  return (
    <div className="kalphite-devtools-sbs-scroll">
      <style href="kalphite-devtools-sbs" precedence="default">
        {CSS}
      </style>
      <table className="kalphite-devtools-sbs" data-layout={layout} aria-label={label}>
        {/* Fixed layout takes its widths from here: narrow number columns, the code shares the rest. */}
        <colgroup>
          {split ? (
            <>
              <col className="kalphite-devtools-sbs-number-col" />
              <col />
              <col className="kalphite-devtools-sbs-number-col" />
              <col />
            </>
          ) : (
            <>
              <col className="kalphite-devtools-sbs-number-col" />
              <col className="kalphite-devtools-sbs-number-col" />
              <col />
            </>
          )}
        </colgroup>
        <thead className="kalphite-visually-hidden">
          <tr>
            {split ? (
              <>
                <th scope="col">line before</th>
                <th scope="col">before</th>
                <th scope="col">line after</th>
                <th scope="col">after</th>
              </>
            ) : (
              <>
                <th scope="col">line before</th>
                <th scope="col">line after</th>
                <th scope="col">change</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {diff.rows.map((row, i) => (
            <Row key={i} row={row} split={split} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Row({ row, split }: { row: DiffRow; split: boolean }) {
  const [open, setOpen] = useState(false);
  if (row.kind === 'fold') {
    if (open) return row.rows.map((inner, i) => <Row key={i} row={inner} split={split} />);
    return (
      <tr className="kalphite-devtools-sbs-fold">
        <td colSpan={split ? 4 : 3}>
          <button type="button" className="kalphite-button" onClick={() => setOpen(true)}>
            Show {row.rows.length} unchanged lines
          </button>
        </td>
      </tr>
    );
  }
  if (split) {
    return (
      <tr data-kind={row.kind}>
        <LineNumber line={row.left} />
        <Code line={row.left} side="removed" />
        <LineNumber line={row.right} />
        <Code line={row.right} side="added" />
      </tr>
    );
  }
  // Unified: a change is its removed line, then its added one; a shared line once.
  if (row.kind === 'same') {
    return (
      <tr data-kind="same">
        <LineNumber line={row.left} />
        <LineNumber line={row.right} />
        <Code line={row.right} side="added" />
      </tr>
    );
  }
  return (
    <>
      {row.left && (
        <tr data-kind="change">
          <LineNumber line={row.left} />
          <td className="kalphite-devtools-sbs-number" />
          <Code line={row.left} side="removed" />
        </tr>
      )}
      {row.right && (
        <tr data-kind="change">
          <td className="kalphite-devtools-sbs-number" />
          <LineNumber line={row.right} />
          <Code line={row.right} side="added" />
        </tr>
      )}
    </>
  );
}

function LineNumber({ line }: { line: DiffLine | null }) {
  return <td className="kalphite-devtools-sbs-number">{line?.number}</td>;
}

function Code({ line, side }: { line: DiffLine | null; side: 'removed' | 'added' }) {
  if (line === null) return <td className="kalphite-devtools-sbs-code kalphite-devtools-sbs-empty" />;
  const Mark = side === 'removed' ? 'del' : 'ins';
  // A whole removed or added line is one mark; beside its replacement, only the words that changed.
  const words = line.parts.some((p) => p.changed);
  const parts: ReactNode[] = line.changed && !words ? [<Mark key={0}>{line.parts[0]?.text}</Mark>] : line.parts.map((part, i) => (part.changed ? <Mark key={i}>{part.text}</Mark> : <span key={i}>{part.text}</span>));
  return <td className={`kalphite-devtools-sbs-code${line.changed ? ` kalphite-devtools-sbs-${side}` : ''}${line.changed && !words ? ' kalphite-devtools-sbs-whole' : ''}`}>{parts}</td>;
}

const CSS = `
.kalphite-devtools-sbs-scroll { overflow-x: auto; border: 1px solid var(--kalphite-border); border-radius: var(--kalphite-radius); }
.kalphite-devtools-sbs { border-collapse: collapse; width: 100%; table-layout: fixed; font: var(--kalphite-mono); }
.kalphite-devtools-sbs td { padding: 0 6px; vertical-align: top; }
.kalphite-devtools-sbs-number-col { width: 2.8em; }
.kalphite-devtools-sbs-number { text-align: right; color: var(--kalphite-muted); background: var(--kalphite-surface); user-select: none; }
.kalphite-devtools-sbs-code { white-space: pre-wrap; overflow-wrap: anywhere; }
.kalphite-devtools-sbs[data-layout="split"] .kalphite-devtools-sbs-code:nth-child(2) { border-right: 1px solid var(--kalphite-border); }
.kalphite-devtools-sbs-removed { background: color-mix(in srgb, var(--kalphite-danger) 12%, var(--kalphite-bg)); }
.kalphite-devtools-sbs-added { background: color-mix(in srgb, var(--kalphite-success) 14%, var(--kalphite-bg)); }
.kalphite-devtools-sbs-empty { background: repeating-linear-gradient(135deg, var(--kalphite-surface) 0 4px, var(--kalphite-bg) 4px 8px); }
.kalphite-devtools-sbs del { text-decoration: line-through; text-decoration-thickness: 1px; background: color-mix(in srgb, var(--kalphite-danger) 28%, var(--kalphite-bg)); color: inherit; border-radius: 2px; }
.kalphite-devtools-sbs ins { text-decoration: none; background: color-mix(in srgb, var(--kalphite-success) 30%, var(--kalphite-bg)); color: inherit; border-radius: 2px; }
.kalphite-devtools-sbs-whole del, .kalphite-devtools-sbs-whole ins { background: none; }
.kalphite-devtools-sbs[data-layout="unified"] .kalphite-devtools-sbs-removed::before { content: '−'; display: inline-block; width: 1.2ch; margin-left: -0.2ch; color: var(--kalphite-danger); }
.kalphite-devtools-sbs[data-layout="unified"] .kalphite-devtools-sbs-added::before { content: '+'; display: inline-block; width: 1.2ch; margin-left: -0.2ch; color: var(--kalphite-success); }
.kalphite-devtools-sbs-whole del { text-decoration: none; }
.kalphite-devtools-sbs-fold td { padding: 2px 6px; background: var(--kalphite-surface); text-align: center; }
.kalphite-devtools-sbs-fold .kalphite-button { font-size: 12px; }
`;
