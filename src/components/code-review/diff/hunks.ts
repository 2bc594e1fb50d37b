import type { Side } from '../comments.js';
import type { DiffLine, FileDiff } from './file-diff.js';

/** Lines shown together, or a run of unchanged lines folded away. */
export type DiffSegment =
  | { readonly kind: 'lines'; readonly lines: readonly DiffLine[] }
  | {
      readonly kind: 'gap';
      /** Stable while the diff is: the old line of its first hidden line (or where the unknown run starts). */
      readonly id: string;
      readonly lines: readonly DiffLine[];
      /** Lines the diff left out and nobody gave us (a unified diff without the file's text): cannot be expanded. */
      readonly unknown: number;
      /** The hunk header of what follows, as a unified diff writes it. */
      readonly header: string | null;
    };

export interface LayoutOptions {
  /** Unchanged lines shown around each change (default 3). */
  readonly context?: number;
  /** Gaps the reader expanded (their ids). */
  readonly expanded?: ReadonlySet<string>;
  /** Lines that must stay visible (they carry a thread), by side. */
  readonly pinned?: (side: Side, line: number) => boolean;
}

/** Folding fewer lines than this saves no space: they are shown. */
const MIN_FOLD = 4;

/**
 * Folds unchanged lines more than `context` away from every change (and from every pinned line)
 * into gaps. A file with no change is shown whole.
 */
export function layoutHunks(diff: FileDiff, { context = 3, expanded = new Set(), pinned = () => false }: LayoutOptions = {}): DiffSegment[] {
  const { lines } = diff;
  if (!diff.changed) return [{ kind: 'lines', lines }];
  const skipped = skippedBefore(lines);
  const keep = new Uint8Array(lines.length);
  lines.forEach((line, i) => {
    const anchor = line.kind !== 'context' || (line.oldLine !== null && pinned('old', line.oldLine)) || (line.newLine !== null && pinned('new', line.newLine));
    if (!anchor) return;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) keep[j] = 1;
  });
  const segments: DiffSegment[] = [];
  let shown: DiffLine[] = [];
  const flush = () => {
    if (shown.length) segments.push({ kind: 'lines', lines: shown });
    shown = [];
  };
  let i = 0;
  while (i < lines.length) {
    if (skipped[i]! > 0) {
      flush();
      segments.push({ kind: 'gap', id: `unknown-${i}`, lines: [], unknown: skipped[i]!, header: headerAt(lines, skipped, keep, i) });
    }
    if (keep[i]) {
      shown.push(lines[i]!);
      i++;
      continue;
    }
    // A run of unchanged lines far from any change, up to the next kept line or the next jump.
    let end = i + 1;
    while (end < lines.length && !keep[end] && skipped[end] === 0) end++;
    const run = lines.slice(i, end);
    const id = String(run[0]!.oldLine);
    if (run.length < MIN_FOLD || expanded.has(id)) shown.push(...run);
    else {
      flush();
      segments.push({ kind: 'gap', id, lines: run, unknown: 0, header: end < lines.length && skipped[end] === 0 ? headerAt(lines, skipped, keep, end) : null });
    }
    i = end;
  }
  flush();
  return segments;
}

/** For each line, how many lines a unified diff left out just before it (0 when it follows the previous one). */
function skippedBefore(lines: readonly DiffLine[]): number[] {
  let oldCursor = 0;
  let newCursor = 0;
  return lines.map((line) => {
    const gap = line.newLine !== null ? line.newLine - newCursor - 1 : line.oldLine! - oldCursor - 1;
    if (line.oldLine !== null) oldCursor = line.oldLine;
    if (line.newLine !== null) newCursor = line.newLine;
    // The other side moved by the same count: the lines left out are unchanged ones.
    if (gap > 0) {
      if (line.newLine === null) newCursor += gap;
      if (line.oldLine === null) oldCursor += gap;
    }
    return Math.max(0, gap);
  });
}

/** "@@ -oldStart,n +newStart,m @@" for the shown lines from `index` to the next fold, as a unified diff heads a hunk. */
function headerAt(lines: readonly DiffLine[], skipped: readonly number[], keep: Uint8Array, index: number): string {
  let oldStart: number | null = null;
  let newStart: number | null = null;
  let oldCount = 0;
  let newCount = 0;
  for (let i = index; i < lines.length && keep[i] && (i === index || skipped[i] === 0); i++) {
    const line = lines[i]!;
    if (line.oldLine !== null) {
      oldStart ??= line.oldLine;
      oldCount++;
    }
    if (line.newLine !== null) {
      newStart ??= line.newLine;
      newCount++;
    }
  }
  return `@@ -${oldStart ?? 0},${oldCount} +${newStart ?? 0},${newCount} @@`;
}

/** A row of the split view: the old side's line on the left, the new side's on the right. */
export interface SplitRow {
  readonly left: DiffLine | null;
  readonly right: DiffLine | null;
}

/** Pairs each run of removed lines with the added lines that follow it; unchanged lines sit on both sides. */
export function splitRows(lines: readonly DiffLine[]): SplitRow[] {
  const rows: SplitRow[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.kind === 'context') {
      rows.push({ left: line, right: line });
      i++;
      continue;
    }
    const removed: DiffLine[] = [];
    const added: DiffLine[] = [];
    while (i < lines.length && lines[i]!.kind === 'removed') removed.push(lines[i++]!);
    while (i < lines.length && lines[i]!.kind === 'added') added.push(lines[i++]!);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) rows.push({ left: removed[k] ?? null, right: added[k] ?? null });
  }
  return rows;
}
