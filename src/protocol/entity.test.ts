import { describe, expect, it } from 'vitest';
import { withSpace } from './entity.js';

describe('withSpace', () => {
  it('names the space, keeping every field; an entity already in it is returned as it is', () => {
    const note = { id: 'n', type: 'note', data: { text: 'hi' }, updatedAt: 5 };
    expect(withSpace(note, 'review:1')).toEqual({ ...note, space: 'review:1' });
    expect(withSpace({ id: 'n', type: 'note', data: null }, 'default')).toEqual({ id: 'n', type: 'note', data: null, space: 'default' });
    const extra = { ...note, tags: ['a'] } as typeof note;
    expect(withSpace(extra, 'default')).toEqual({ ...extra, space: 'default' });
    const placed = { ...note, space: 'default' };
    expect(withSpace(placed, 'default')).toBe(placed);
  });
});
