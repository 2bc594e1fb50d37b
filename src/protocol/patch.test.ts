import { describe, expect, it } from 'vitest';
import type { Entity } from './entity.js';
import { applyPatch, changedFields, parsePatchArgs, patchOf, withFields } from './patch.js';

const review = (data: Entity['data'], type = 'review'): Entity => ({ id: 'r1', type, data, space: 'default' });

describe('patches', () => {
  it('names the top-level fields that changed, set or removed; a create, delete or type change is not a patch', () => {
    expect(changedFields(review({ a: 1, b: { x: 1 }, c: 3 }), review({ a: 1, b: { x: 2 }, d: 4 }))).toEqual(['b', 'd', 'c']);
    expect(changedFields(undefined, review({}))).toBeNull();
    expect(changedFields(review({}), undefined)).toBeNull();
    expect(changedFields(review({}), review({}, 'comment'))).toBeNull();
    expect(changedFields(review('text'), review({}))).toBeNull();
  });

  it('applies field by field: other fields keep the current value; a nested object is replaced whole', () => {
    const current = review({ title: 'theirs', status: 'open', meta: { a: 1, b: 2 } });
    const patch = patchOf(review({ title: 'x', status: 'resolved', meta: { a: 9 } }), ['status', 'meta', 'gone']);
    expect(patch).toEqual({ id: 'r1', type: 'review', set: { status: 'resolved', meta: { a: 9 } }, unset: ['gone'], space: 'default' });
    expect(applyPatch(current, patch)?.data).toEqual({ title: 'theirs', status: 'resolved', meta: { a: 9 } });
    expect(withFields(review('text'), current, ['status'])).toBeNull();
  });

  it('a field named __proto__ is an own field, not a prototype', () => {
    const args = parsePatchArgs(JSON.parse('{"id":"r1","type":"review","set":{"__proto__":{"polluted":true}},"unset":[]}'));
    if (typeof args === 'string') throw new Error(args);
    const merged = applyPatch(review({}), args)!;
    expect(Object.getPrototypeOf(merged.data)).toBe(Object.prototype);
    expect(Object.keys(merged.data as object)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses args that are not a patch, saying why', () => {
    expect(parsePatchArgs(null)).toMatch(/needs/);
    expect(parsePatchArgs({ id: 'r1', type: 'review', set: [], unset: [] })).toMatch(/set must be an object/);
    expect(parsePatchArgs({ id: 'r1', type: 'review', set: {}, unset: [1] })).toMatch(/unset/);
    expect(parsePatchArgs({ id: 'r1', type: 'review', set: { a: 1 }, unset: ['a'] })).toMatch(/both set and unset/);
    expect(parsePatchArgs({ id: 'r1', type: 'review', set: {}, unset: [], space: '' })).toMatch(/space/);
  });
});
