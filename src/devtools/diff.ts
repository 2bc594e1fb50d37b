import { diffJson, diffWordsWithSpace } from 'diff';
import type { Entity } from '../engine/index.js';

/** A run of one line's text, `changed` where the other side's paired line differs. */
export interface DiffPart {
  readonly text: string;
  readonly changed: boolean;
}

/**
 * One line of one side: its number in that side's JSON, whether it was removed or added, and its
 * text in parts (word-level changes only where it sits beside the line it replaced).
 */
export interface DiffLine {
  readonly number: number;
  readonly changed: boolean;
  readonly parts: readonly DiffPart[];
}

/**
 * One row of a side-by-side diff: a line both sides share, a change (a removed line beside the
 * added one that replaced it; either may be missing), or a fold of unchanged rows.
 */
export type DiffRow =
  | { readonly kind: 'same'; readonly left: DiffLine; readonly right: DiffLine }
  | { readonly kind: 'change'; readonly left: DiffLine | null; readonly right: DiffLine | null }
  | { readonly kind: 'fold'; readonly rows: readonly DiffRow[] };

export interface EntityDiff {
  readonly rows: readonly DiffRow[];
  readonly removed: number;
  readonly added: number;
}

/** Unchanged lines kept around each change; longer runs between changes fold. */
const CONTEXT = 3;

/**
 * Before and after of an entity side by side, line by line over their pretty JSON with keys in
 * order (jsdiff's `diffJson`, so a key moved by the database is no change), and word by word
 * within a changed line beside the line it replaced. A create has no left side, a delete no right.
 */
export function entityDiff(before: Entity | null, after: Entity | null): EntityDiff {
  // diffJson takes a string as it is and an object as canonical JSON: '' is an absent side.
  const changes = diffJson(before ?? '', after ?? '');
  const rows: DiffRow[] = [];
  let left = 0;
  let right = 0;
  let removed = 0;
  let added = 0;
  for (let i = 0; i < changes.length; i++) {
    const change = changes[i]!;
    const lines = splitLines(change.value);
    if (!change.added && !change.removed) {
      for (const text of lines) rows.push({ kind: 'same', left: line(++left, text, false), right: line(++right, text, false) });
      continue;
    }
    // A removal followed by an addition is a replacement: pair them line by line.
    const next = changes[i + 1];
    const olds = change.removed ? lines : [];
    const news = change.added ? lines : next?.added ? splitLines(next.value) : [];
    if (change.removed && next?.added) i++;
    removed += olds.length;
    added += news.length;
    for (let k = 0; k < Math.max(olds.length, news.length); k++) {
      const old = olds[k];
      const neu = news[k];
      if (old !== undefined && neu !== undefined) {
        const words = diffWordsWithSpace(old, neu);
        rows.push({
          kind: 'change',
          left: { number: ++left, changed: true, parts: words.filter((w) => !w.added).map((w) => ({ text: w.value, changed: w.removed })) },
          right: { number: ++right, changed: true, parts: words.filter((w) => !w.removed).map((w) => ({ text: w.value, changed: w.added })) },
        });
      } else if (old !== undefined) rows.push({ kind: 'change', left: line(++left, old, true), right: null });
      else rows.push({ kind: 'change', left: null, right: line(++right, neu!, true) });
    }
  }
  return { rows: fold(rows), removed, added };
}

/** A whole line, removed or added (`changed`) or shared, with no word-level parts. */
function line(number: number, text: string, changed: boolean): DiffLine {
  return { number, changed, parts: [{ text, changed: false }] };
}

function splitLines(value: string): string[] {
  const lines = value.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Runs of unchanged rows longer than the context on either side of a change become one fold. */
function fold(rows: readonly DiffRow[]): DiffRow[] {
  const out: DiffRow[] = [];
  let run: DiffRow[] = [];
  const flush = (atStart: boolean, atEnd: boolean) => {
    const keepBefore = atStart ? 0 : CONTEXT;
    const keepAfter = atEnd ? 0 : CONTEXT;
    if (run.length > keepBefore + keepAfter + 1) {
      out.push(...run.slice(0, keepBefore), { kind: 'fold', rows: run.slice(keepBefore, run.length - keepAfter) }, ...run.slice(run.length - keepAfter));
    } else out.push(...run);
    run = [];
  };
  let seenChange = false;
  for (const row of rows) {
    if (row.kind === 'same') {
      run.push(row);
      continue;
    }
    flush(!seenChange, false);
    seenChange = true;
    out.push(row);
  }
  // A diff with no change at all (a value written unchanged) shows whole.
  if (seenChange) flush(false, true);
  else out.push(...run);
  return out;
}
