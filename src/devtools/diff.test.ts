import { describe, expect, it } from 'vitest';
import { entityDiff, type DiffLine, type DiffRow } from './diff.js';

const note = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id: 'n', type: 'note', data, ...extra }) as never;

const text = (line: DiffLine | null) => (line === null ? null : line.parts.map((p) => p.text).join(''));
const changed = (line: DiffLine | null) => line?.parts.filter((p) => p.changed).map((p) => p.text.trim()) ?? [];
/** Each row as [kind, left text, right text]; a fold as ['fold', its row count]. */
const shape = (rows: readonly DiffRow[]) => rows.map((r) => (r.kind === 'fold' ? ['fold', r.rows.length] : [r.kind, text(r.left), text(r.right)]));

describe('entityDiff', () => {
  it('a create has only a right side; a delete only a left one', () => {
    const created = entityDiff(null, note({ text: 'hi' }));
    expect(created).toMatchObject({ removed: 0, added: 7 });
    expect(created.rows.every((r) => r.kind === 'change' && r.left === null)).toBe(true);
    expect(shape(created.rows).map(([, , right]) => right)).toEqual(['{', '  "data": {', '    "text": "hi"', '  },', '  "id": "n",', '  "type": "note"', '}']);
    const deleted = entityDiff(note({ text: 'hi' }), null);
    expect(deleted.added).toBe(0);
    expect(deleted.rows.every((r) => r.kind === 'change' && r.right === null)).toBe(true);
  });

  it('an update pairs the old line with the new one and marks the words that changed; keys in order, whatever order they came in', () => {
    const before = { type: 'note', id: 'n', data: { text: 'hello there', line: 1 } } as never;
    const after = note({ line: 1, text: 'hello world' });
    const diff = entityDiff(before, after);
    expect(diff).toMatchObject({ removed: 1, added: 1 });
    const change = diff.rows.find((r) => r.kind === 'change')!;
    expect(change.kind === 'change' && [text(change.left), text(change.right)]).toEqual(['    "text": "hello there"', '    "text": "hello world"']);
    expect(change.kind === 'change' && [changed(change.left), changed(change.right)]).toEqual([['there'], ['world']]);
    // Line numbers count per side.
    expect(change.kind === 'change' && [change.left?.number, change.right?.number]).toEqual([4, 4]);
  });

  it('a value written unchanged has no change; long unchanged runs fold around a change', () => {
    expect(entityDiff(note({ a: 1 }), note({ a: 1 })).rows.every((r) => r.kind === 'same')).toBe(true);
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${String(i).padStart(2, '0')}`, i]));
    const diff = entityDiff(note(many), note({ ...many, k10: 'ten' }));
    expect(shape(diff.rows)).toEqual([
      ['fold', 9],
      ['same', '    "k07": 7,', '    "k07": 7,'],
      ['same', '    "k08": 8,', '    "k08": 8,'],
      ['same', '    "k09": 9,', '    "k09": 9,'],
      ['change', '    "k10": 10,', '    "k10": "ten",'],
      ['same', '    "k11": 11,', '    "k11": 11,'],
      ['same', '    "k12": 12,', '    "k12": 12,'],
      ['same', '    "k13": 13,', '    "k13": 13,'],
      ['fold', 10],
    ]);
  });
});
