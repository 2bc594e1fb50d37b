import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { diffFromPatch, diffTexts, PatchError, unchangedFile } from './file-diff.js';
import { layoutHunks, splitRows } from './hunks.js';

const OLD = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
const NEW = OLD.replace('line 10', 'line ten').replace('line 2\n', 'line 2\nline 2½\n');

describe('diffTexts', () => {
  it('numbers each side and marks added and removed lines', () => {
    const diff = diffTexts('a\nb\nc', 'a\nB\nc\nd');
    expect(diff.lines).toEqual([
      { kind: 'context', oldLine: 1, newLine: 1, text: 'a' },
      { kind: 'removed', oldLine: 2, newLine: null, text: 'b' },
      { kind: 'added', oldLine: null, newLine: 2, text: 'B' },
      { kind: 'context', oldLine: 3, newLine: 3, text: 'c' },
      { kind: 'added', oldLine: null, newLine: 4, text: 'd' },
    ]);
    expect([diff.added, diff.removed]).toEqual([2, 1]);
  });
});

describe('layoutHunks', () => {
  it('folds unchanged lines beyond the context into gaps that expand by id', () => {
    const diff = diffTexts(OLD, NEW);
    const segments = layoutHunks(diff, { context: 1 });
    expect(segments.map((s) => (s.kind === 'gap' ? `gap ${s.lines.length}` : `${s.lines.length} lines`))).toEqual(['4 lines', 'gap 5', '4 lines', 'gap 9']);
    const [, middle] = segments;
    expect(middle).toMatchObject({ kind: 'gap', id: '4', header: '@@ -9,3 +10,3 @@' });
    const expanded = layoutHunks(diff, { context: 1, expanded: new Set(['4']) });
    expect(expanded.filter((s) => s.kind === 'gap')).toHaveLength(1);
  });

  it('keeps a line with a thread visible, with its context', () => {
    const diff = diffTexts(OLD, NEW);
    const segments = layoutHunks(diff, { context: 1, pinned: (side, line) => side === 'new' && line === 18 });
    const shown = segments.flatMap((s) => (s.kind === 'lines' ? s.lines.map((l) => l.newLine) : []));
    expect(shown).toEqual(expect.arrayContaining([17, 18, 19]));
  });

  it('shows a file without a change whole', () => {
    expect(layoutHunks(unchangedFile('a\nb'))).toEqual([{ kind: 'lines', lines: unchangedFile('a\nb').lines }]);
  });
});

describe('diffFromPatch', () => {
  const patch = createTwoFilesPatch('a/src/x.ts', 'b/src/x.ts', OLD, NEW, '', '', { context: 1 });

  it('reads the hunks of a unified diff; what it left out is an unknown gap', () => {
    const diff = diffFromPatch(patch, '/src/x.ts');
    expect([diff.added, diff.removed]).toEqual([2, 1]);
    const segments = layoutHunks(diff, { context: 1 });
    expect(segments.map((s) => (s.kind === 'gap' ? `gap ${s.unknown}` : `${s.lines.length}`))).toEqual(['gap 1', '3', 'gap 5', '4']);
    expect(segments[2]).toMatchObject({ header: '@@ -9,3 +10,3 @@' });
  });

  it('with the new text, fills the lines between hunks so they can be expanded', () => {
    const diff = diffFromPatch(patch, 'src/x.ts', NEW);
    expect(diff.lines.filter((l) => l.kind !== 'removed').map((l) => l.text)).toEqual(NEW.split('\n'));
    expect(diff.lines.at(-1)).toEqual({ kind: 'context', oldLine: 20, newLine: 21, text: 'line 20' });
  });

  it('says which file it could not find', () => {
    const two = patch + createTwoFilesPatch('a/y.ts', 'b/y.ts', 'a', 'b');
    expect(() => diffFromPatch(two, 'z.ts')).toThrow(PatchError);
  });
});

describe('splitRows', () => {
  it('pairs removed lines with the added lines after them', () => {
    const rows = splitRows(diffTexts('a\nb\nc\nd', 'a\nB\nd').lines);
    expect(rows.map((r) => [r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ['a', 'a'],
      ['b', 'B'],
      ['c', null],
      ['d', 'd'],
    ]);
  });
});
