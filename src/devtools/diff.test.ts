import { describe, expect, it } from 'vitest';
import { diffEntities } from './diff.js';

const note = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id: 'n', type: 'note', data, ...extra }) as never;

describe('diffEntities', () => {
  it('a create lists every leaf as added; a delete as removed', () => {
    expect(diffEntities(null, note({ text: 'hi', tags: ['a'] }))).toEqual([
      { path: 'data.tags[0]', kind: 'added', after: 'a' },
      { path: 'data.text', kind: 'added', after: 'hi' },
      { path: 'id', kind: 'added', after: 'n' },
      { path: 'type', kind: 'added', after: 'note' },
    ]);
    expect(diffEntities(note({ text: 'hi' }), null).map((l) => [l.path, l.kind])).toEqual([
      ['data.text', 'removed'],
      ['id', 'removed'],
      ['type', 'removed'],
    ]);
  });

  it('an update lists only what changed, nested objects and arrays by path', () => {
    const before = note({ text: 'hi', meta: { line: 1, by: 'ann' }, tags: ['a', 'b'] }, { updatedAt: 1 });
    const after = note({ text: 'hi', meta: { line: 2, by: 'ann' }, tags: ['a'], resolved: true }, { updatedAt: 2 });
    expect(diffEntities(before, after)).toEqual([
      { path: 'data.meta.line', kind: 'changed', before: 1, after: 2 },
      { path: 'data.resolved', kind: 'added', after: true },
      { path: 'data.tags[1]', kind: 'removed', before: 'b' },
      { path: 'updatedAt', kind: 'changed', before: 1, after: 2 },
    ]);
  });

  it('an entity carries its space: a create lists it, an update within its space does not', () => {
    const space = { space: 'review:1' };
    expect(diffEntities(null, note({ text: 'hi' }, space)).map((l) => l.path)).toEqual(['data.text', 'id', 'space', 'type']);
    expect(diffEntities(note({ text: 'hi' }, space), note({ text: 'ho' }, space))).toEqual([{ path: 'data.text', kind: 'changed', before: 'hi', after: 'ho' }]);
  });

  it('a value that changes shape (object to string) is one change; equal values none', () => {
    expect(diffEntities(note({ v: { a: 1 } }), note({ v: 'flat' }))).toEqual([{ path: 'data.v', kind: 'changed', before: { a: 1 }, after: 'flat' }]);
    expect(diffEntities(note({ v: [1, { a: null }] }), note({ v: [1, { a: null }] }))).toEqual([]);
  });
});
