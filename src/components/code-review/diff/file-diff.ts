import { diffArrays, parsePatch, type StructuredPatch } from 'diff';

/** One line of a change: unchanged (`context`, on both sides), `added` (new side only) or `removed` (old side only). */
export interface DiffLine {
  readonly kind: 'context' | 'added' | 'removed';
  /** 1-based; null on the side the line is not on. */
  readonly oldLine: number | null;
  readonly newLine: number | null;
  readonly text: string;
}

/**
 * A file's change as lines in order. `lines` is every line when both texts are known; from a
 * unified diff without the file's text it is only the hunks' lines, and the line numbers jump where
 * the diff left lines out.
 */
export interface FileDiff {
  readonly lines: readonly DiffLine[];
  /** False for a file shown as it is (no old text, no diff): every line is context. */
  readonly changed: boolean;
  /** Lines added and removed, for the header. */
  readonly added: number;
  readonly removed: number;
}

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** A file with no change to show: every line as context. */
export function unchangedFile(text: string): FileDiff {
  return { lines: splitLines(text).map((line, i) => ({ kind: 'context', oldLine: i + 1, newLine: i + 1, text: line })), changed: false, added: 0, removed: 0 };
}

/** The line-by-line change from `oldText` to `newText` (jsdiff's Myers diff over lines). */
export function diffTexts(oldText: string, newText: string): FileDiff {
  const lines: DiffLine[] = [];
  let oldLine = 1;
  let newLine = 1;
  let added = 0;
  let removed = 0;
  for (const change of diffArrays(splitLines(oldText), splitLines(newText))) {
    for (const text of change.value) {
      if (change.added) {
        lines.push({ kind: 'added', oldLine: null, newLine: newLine++, text });
        added++;
      } else if (change.removed) {
        lines.push({ kind: 'removed', oldLine: oldLine++, newLine: null, text });
        removed++;
      } else lines.push({ kind: 'context', oldLine: oldLine++, newLine: newLine++, text });
    }
  }
  return { lines, changed: true, added, removed };
}

/** A unified diff that cannot be read, or holds no file of that name. */
export class PatchError extends Error {
  readonly code = 'invalid-patch';
}

/**
 * The change to `filePath` in a unified diff (`git diff` output; `a/` and `b/` prefixes are
 * ignored; a diff of one file is taken whatever its name). With the file's new text, the lines
 * between hunks are filled in from it, so context can be expanded.
 */
export function diffFromPatch(patch: string, filePath: string, newText?: string): FileDiff {
  let files: StructuredPatch[];
  try {
    files = parsePatch(patch);
  } catch (reason) {
    throw new PatchError(`The diff could not be read: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
  const wanted = normalise(filePath);
  const file = files.find((f) => normalise(f.newFileName ?? '') === wanted || normalise(f.oldFileName ?? '') === wanted) ?? (files.length === 1 ? files[0] : undefined);
  if (!file) throw new PatchError(`The diff has no changes to ${filePath}.`);
  const known = newText === undefined ? null : splitLines(newText);
  const lines: DiffLine[] = [];
  let added = 0;
  let removed = 0;
  // The old and new line numbers of the next line not yet placed.
  let oldLine = 1;
  let newLine = 1;
  const fillTo = (nextNew: number) => {
    if (!known) return;
    for (; newLine < nextNew && newLine <= known.length; oldLine++, newLine++) lines.push({ kind: 'context', oldLine, newLine, text: known[newLine - 1]! });
  };
  for (const hunk of file.hunks) {
    // A hunk of a new file starts at 0 on its old side (and of a deleted file on its new side).
    fillTo(hunk.newStart === 0 ? 1 : hunk.newStart);
    oldLine = hunk.oldLines === 0 ? hunk.oldStart + 1 : hunk.oldStart;
    newLine = hunk.newLines === 0 ? hunk.newStart + 1 : hunk.newStart;
    for (const raw of hunk.lines) {
      const mark = raw[0];
      const text = raw.slice(1);
      if (mark === '+') {
        lines.push({ kind: 'added', oldLine: null, newLine: newLine++, text });
        added++;
      } else if (mark === '-') {
        lines.push({ kind: 'removed', oldLine: oldLine++, newLine: null, text });
        removed++;
      } else if (mark === ' ') lines.push({ kind: 'context', oldLine: oldLine++, newLine: newLine++, text });
      // "\ No newline at end of file" says nothing a reader of lines needs.
    }
  }
  if (known) fillTo(known.length + 1);
  return { lines, changed: true, added, removed };
}

function normalise(path: string): string {
  return path.replace(/^[ab]\//, '').replace(/^\/+/, '');
}
