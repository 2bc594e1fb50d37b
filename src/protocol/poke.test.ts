import { describe, expect, it } from 'vitest';
import { parsePoke, pokeMessage } from './poke.js';

const change = { previous: 4, clientGroupID: 'g', patch: [{ op: 'put' as const, key: 'a', value: { id: 'a', type: 'note', data: {} } }], lastMutationIDChanges: { c: 3 } };

describe('poke messages', () => {
  it('round-trips a change, and without one is the version alone that older clients read', () => {
    expect(parsePoke(pokeMessage('s', 5, change))).toEqual({ space: 's', version: 5, change });
    expect(pokeMessage('s', 5, null)).toBe('{"space":"s","version":5}');
    expect(parsePoke(pokeMessage('s', 5, null))).toEqual({ space: 's', version: 5 });
    expect(parsePoke('gap')).toEqual({ space: null });
    const noted = { ...change, overwritten: [{ clientID: 'c', id: 2, key: 'a', fields: ['text'] }] };
    expect(parsePoke(pokeMessage('s', 5, noted))).toEqual({ space: 's', version: 5, change: noted });
  });

  it('keeps the version but drops a change it cannot trust: another pokeVersion, a previous not below the version, a bad patch, a clear', () => {
    const bad = [
      { ...change, pokeVersion: 2 },
      { ...change, pokeVersion: 1, previous: 5 },
      { ...change, pokeVersion: 1, clientGroupID: '' },
      { ...change, pokeVersion: 1, patch: [{ op: 'put', key: 'a' }] },
      { ...change, pokeVersion: 1, patch: [{ op: 'clear' }] },
      { ...change, pokeVersion: 1, lastMutationIDChanges: { c: -1 } },
      { ...change, pokeVersion: 1, overwritten: [{ clientID: 'c', id: 2, key: 'a', fields: 'text' }] },
      { ...change, pokeVersion: 1, overwritten: {} },
    ];
    for (const fields of bad) expect(parsePoke(JSON.stringify({ space: 's', version: 5, ...fields }))).toEqual({ space: 's', version: 5 });
  });
});
